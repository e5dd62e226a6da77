// Declarations for the parts we use of dependencies that ship no types.

declare module 'unzipper' {
  interface CentralDirectoryEntry {
    path: string;
    uncompressedSize: number;
    compressedSize: number;
  }
  const unzipper: { Open: { file(path: string): Promise<{ files: CentralDirectoryEntry[] }> } };
  export default unzipper;
}

declare module 'pdf-parse/lib/pdf-parse.js' {
  function pdfParse(data: Buffer): Promise<{ numpages: number; text: string }>;
  export default pdfParse;
}
