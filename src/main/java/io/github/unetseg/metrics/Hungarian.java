package io.github.unetseg.metrics;

import java.util.Arrays;

/**
 * The Hungarian method for the square linear assignment problem, in O(n<sup>3</sup>): the
 * shortest-augmenting-path form with potentials (Kuhn 1955; Munkres 1957; Jonker and Volgenant 1987),
 * the same problem {@code scipy.optimize.linear_sum_assignment} solves.
 */
final class Hungarian {

	private Hungarian() {}

	/**
	 * An assignment of least total cost.
	 *
	 * @param cost square matrix {@code cost[row][column]}, finite values
	 * @return for each row its column
	 * @throws IllegalArgumentException if the matrix is not square
	 */
	static int[] minimise(double[][] cost) {
		int n = cost.length;
		for (double[] row : cost) if (row.length != n) throw new IllegalArgumentException("cost matrix is not square");
		double[] u = new double[n + 1], v = new double[n + 1];
		int[] p = new int[n + 1], way = new int[n + 1]; // p[j]: row matched to column j (1-based), 0 = none
		for (int i = 1; i <= n; i++) {
			p[0] = i;
			int j0 = 0;
			double[] minv = new double[n + 1];
			Arrays.fill(minv, Double.POSITIVE_INFINITY);
			boolean[] used = new boolean[n + 1];
			do {
				used[j0] = true;
				int i0 = p[j0], j1 = 0;
				double delta = Double.POSITIVE_INFINITY;
				for (int j = 1; j <= n; j++) {
					if (used[j]) continue;
					double cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
					if (cur < minv[j]) {
						minv[j] = cur;
						way[j] = j0;
					}
					if (minv[j] < delta) {
						delta = minv[j];
						j1 = j;
					}
				}
				for (int j = 0; j <= n; j++) {
					if (used[j]) {
						u[p[j]] += delta;
						v[j] -= delta;
					}
					else minv[j] -= delta;
				}
				j0 = j1;
			} while (p[j0] != 0);
			do {
				int j1 = way[j0];
				p[j0] = p[j1];
				j0 = j1;
			} while (j0 != 0);
		}
		int[] rowToCol = new int[n];
		for (int j = 1; j <= n; j++) rowToCol[p[j] - 1] = j - 1;
		return rowToCol;
	}
}
