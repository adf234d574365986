/** `source` (`[rows, cols]`) into `target` as `[cols, rows]`, in blocks that stay in cache. */
export function transposeInto(source: Float32Array, target: Float32Array, rows: number, cols: number): void {
  const block = 64;
  for (let colStart = 0; colStart < cols; colStart += block) {
    const colEnd = Math.min(colStart + block, cols);
    for (let rowStart = 0; rowStart < rows; rowStart += block) {
      const rowEnd = Math.min(rowStart + block, rows);
      for (let col = colStart; col < colEnd; col++) {
        const targetRow = col * rows;
        for (let row = rowStart, from = rowStart * cols + col; row < rowEnd; row++, from += cols) target[targetRow + row] = source[from];
      }
    }
  }
}
