export type { Figure } from "./figure";
export { show } from "./show";
