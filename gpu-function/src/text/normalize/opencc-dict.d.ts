// opencc-js ships its dictionaries as ES modules without declarations; each default export is "src dst|src dst|...".
declare module 'opencc-js/dict/TSCharacters' {
  const dictionary: string;
  export default dictionary;
}
