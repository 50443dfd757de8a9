/** Encoders (ResNet50 with ImageNet weights, small ResNets), weights, preprocessing. */
export type { Encoder, ResNetEncoderOptions } from "./encoder";
export { ResNetEncoder, embedInBatches } from "./encoder";
export type { LoadEncoderOptions } from "./load";
export { loadEncoder, ENCODER_NAMES } from "./load";
export type { ResNetArch, ResNetPlan, BlockType, ConvSpec, BlockSpec } from "./resnet_arch";
export { RESNET50, RESNET18, RESNET8, ARCHS, planResNet } from "./resnet_arch";
export type { ResNetForwardOptions, ResNetForwardResult } from "./resnet";
export { initResNet, resnetForward } from "./resnet";
export type { ParamKind } from "./params";
export { ParamStore } from "./params";
export type { PreprocessMode } from "./preprocess";
export { preprocess, CAFFE_BGR_MEAN } from "./preprocess";
export { kerasLayerName, loadImagenetInto, imagenetLabels, imagenetProbabilities, resnetImagenetDir } from "./imagenet";
