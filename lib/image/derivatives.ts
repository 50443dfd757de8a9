/**
 * Local derivatives of a float image (row-major Float32Array of width·height values) by central
 * differences, the image's edge pixel repeated beyond it: the gradient's magnitude and the Hessian's
 * eigenvalues and trace (blob, ridge and edge measures of a smoothed image, as in scikit-image's
 * `hessian_matrix_eigvals` on a Gaussian-smoothed image).
 */

/** |∇a| per pixel: hypot((a[x+1] − a[x−1]) / 2, (a[y+1] − a[y−1]) / 2). Throws on a size mismatch. */
export function gradientMagnitude(a: Float32Array, width: number, height: number): Float32Array {
  if (a.length !== width * height) throw new Error(`gradientMagnitude: ${a.length} values for ${width}x${height}`);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const ym = Math.max(0, y - 1) * width, yp = Math.min(height - 1, y + 1) * width, row = y * width;
    for (let x = 0; x < width; x++) {
      const xm = Math.max(0, x - 1), xp = Math.min(width - 1, x + 1);
      out[row + x] = Math.hypot((a[row + xp] - a[row + xm]) / 2, (a[yp + x] - a[ym + x]) / 2);
    }
  }
  return out;
}

/**
 * The Hessian of `a` per pixel (second differences a[x+1] − 2a[x] + a[x−1], mixed term from the four
 * diagonal neighbours / 4), times `scale` (σ² of the smoothing, so measures compare across σ): its larger
 * and smaller eigenvalues and its trace (the Laplacian). Throws on a size mismatch.
 */
export function hessianEigen(a: Float32Array, width: number, height: number, scale = 1): { max: Float32Array; min: Float32Array; trace: Float32Array } {
  if (a.length !== width * height) throw new Error(`hessianEigen: ${a.length} values for ${width}x${height}`);
  const n = width * height;
  const max = new Float32Array(n), min = new Float32Array(n), trace = new Float32Array(n);
  for (let y = 0; y < height; y++) {
    const ym = Math.max(0, y - 1) * width, yp = Math.min(height - 1, y + 1) * width, row = y * width;
    for (let x = 0; x < width; x++) {
      const xm = Math.max(0, x - 1), xp = Math.min(width - 1, x + 1);
      const c = a[row + x];
      const dxx = a[row + xp] - 2 * c + a[row + xm], dyy = a[yp + x] - 2 * c + a[ym + x];
      const dxy = (a[yp + xp] - a[yp + xm] - a[ym + xp] + a[ym + xm]) / 4;
      const half = (dxx + dyy) / 2, d = Math.sqrt(((dxx - dyy) / 2) ** 2 + dxy * dxy);
      max[row + x] = scale * (half + d);
      min[row + x] = scale * (half - d);
      trace[row + x] = scale * (dxx + dyy);
    }
  }
  return { max, min, trace };
}
