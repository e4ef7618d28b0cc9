// The country database is imported as a file path (bundled into the single executable).
declare module "*.mmdb" {
  const path: string;
  export default path;
}
