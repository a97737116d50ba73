// Globals the JSVM provides that its generated types.d.ts leaves out.

/** require loads a CommonJS module (goja_nodejs); paths start from `${__hooks}`. */
declare function require(path: string): any;
