export { createSdkKey } from "./create-sdk-key";
export { listSdkKeys } from "./list-sdk-keys";
export { revokeSdkKey } from "./revoke-sdk-key";
export { verifySdkKey, forgetCachedSdkKey, type SdkPrincipal, type SdkKeyVerification } from "./verify-sdk-key";
export * from "./schemas";
