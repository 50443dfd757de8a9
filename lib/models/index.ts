/** Encoders (ResNet50 with ImageNet weights, small ResNets), weights, preprocessing. */
export type { Encoder, ResNetEncoderOptions } from "./encoder";
export { ResNetEncoder, embedInBatches } from "./encoder";
export type { LoadEncoderOptions } from "./load";
export { loadEncoder, ENCODER_NAMES } from "./load";
export type { ResNetArch, ResNetPlan, BlockType, ConvSpec, BlockSpec } from "./resnet_arch";
export { RESNET50, RESNET18, RESNET8, ARCHS, planResNet } from "./resnet_arch";
export type { ResNetForwardOptions, ResNetForwardResult } from "./resnet";
export { initResNet, resnetForward, resnetWeightNames } from "./resnet";
export type { PreprocessMode, PreprocessChoice } from "./preprocess";
export { preprocess, preprocessFor, CAFFE_BGR_MEAN } from "./preprocess";
export { kerasLayerName, loadImagenetInto, imagenetLabels, imagenetProbabilities, resnetImagenetDir } from "./imagenet";
export type { ProjectionHeadConfig } from "./head";
export { ProjectionHead } from "./head";
export type { CheckpointManifest, CheckpointContents, CheckpointTensor, EncoderDescription, LoadedCheckpoint } from "./checkpoint";
export { saveCheckpoint, readCheckpoint, restoreGroup, resolveCheckpointDir, loadEncoderFromCheckpoint, describeEncoder, CHECKPOINT_FORMAT } from "./checkpoint";
export type { H5Weight, SaveKerasH5Options } from "./h5_import";
export { readKerasH5, assignFromH5, loadEncoderFromH5, saveKerasH5, h5wasm } from "./h5_import";
