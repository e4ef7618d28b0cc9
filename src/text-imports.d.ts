declare module "*.sql" {
  const text: string;
  export default text;
}

declare module "*.css" {
  const text: string;
  export default text;
}

declare module "*/page-script.js" {
  const text: string;
  export default text;
}

declare module "*/countdown.js" {
  const text: string;
  export default text;
}
