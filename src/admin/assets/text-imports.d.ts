// The admin script is served as text (imported with { type: "text" }), never bundled.
declare module "*/admin.js" {
  const text: string;
  export default text;
}
