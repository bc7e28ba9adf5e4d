package io.github.unetseg.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Object matching against hand-computed cases in StarDist's convention: identical, split, merged,
 * empty, a case the greedy matching gets wrong, and more than 1000 objects.
 */
class InstanceMatchingTest {

	@Test
	void identicalObjectsMatchPerfectly() {
		int[] a = { 0, 1, 1, 0, 2, 2, 2, 0 };
		int[] b = { 0, 5, 5, 0, 3, 3, 3, 0 }; // other ids, same objects
		InstanceMatching.Counts c = InstanceMatching.match(a, b, InstanceMatching.THRESHOLDS)[8];
		assertEquals(2, c.tp());
		assertEquals(0, c.fp());
		assertEquals(0, c.fn());
		assertEquals(1, c.accuracy(), 0);
		assertEquals(1, c.panopticQuality(), 1e-12);
		assertEquals(1, c.meanMatchedScore(), 1e-12);
	}

	@Test
	void splitObject() {
		// one true object of 4 pixels predicted as two halves: each half has IoU 2/4 = 0.5
		int[] t = { 1, 1, 1, 1 };
		int[] p = { 1, 1, 2, 2 };
		InstanceMatching.Counts[] c = InstanceMatching.match(t, p, 0.5, 0.55);
		assertEquals(1, c[0].tp());
		assertEquals(1, c[0].fp());
		assertEquals(0, c[0].fn());
		assertEquals(0.5, c[0].accuracy(), 1e-12);
		assertEquals(2.0 / 3, c[0].precision() * 2 * c[0].recall() / (c[0].precision() + c[0].recall()), 1e-12);
		assertEquals(0.5 / (1 + 0.5 + 0), c[0].panopticQuality(), 1e-12);
		assertEquals(0, c[1].tp());
		assertEquals(2, c[1].fp());
		assertEquals(1, c[1].fn());
	}

	@Test
	void mergedObjects() {
		int[] t = { 1, 1, 2, 2, 2, 2 };
		int[] p = { 1, 1, 1, 1, 1, 1 };
		// IoU(1, merged) = 2/6, IoU(2, merged) = 4/6
		InstanceMatching.Counts c = InstanceMatching.match(t, p, 0.5)[0];
		assertEquals(1, c.tp());
		assertEquals(0, c.fp());
		assertEquals(1, c.fn());
		assertEquals(4.0 / 6, c.matchedIoU(), 1e-12);
		assertEquals(4.0 / 6 / 2, c.meanTrueScore(), 1e-12);
		assertEquals(2.0 / 3, c.f1(), 1e-12);
	}

	@Test
	void emptyImages() {
		InstanceMatching.Counts none = InstanceMatching.match(new int[5], new int[5], 0.5)[0];
		assertEquals(0, none.tp() + none.fp() + none.fn());
		assertEquals(0, none.accuracy(), 0);
		InstanceMatching.Counts missed = InstanceMatching.match(new int[] { 0, 1, 2 }, new int[3], 0.5)[0];
		assertEquals(2, missed.fn());
		assertEquals(0, missed.recall(), 0);
		InstanceMatching.Counts spurious = InstanceMatching.match(new int[3], new int[] { 7, 7, 0 }, 0.5)[0];
		assertEquals(1, spurious.fp());
	}

	@Test
	void hungarianBeatsGreedyBelowOneHalf() {
		// regions (pixel counts): T1&P1 9, T1&P2 8, T1 only 3, T2&P1 6, T2 only 4, P2 only 4
		// IoU(T1,P1) = 9/26, IoU(T1,P2) = 8/24, IoU(T2,P1) = 6/19; greedy by IoU takes T1-P1 and leaves T2 alone
		int[] t = new int[34], p = new int[34];
		int i = 0;
		for (int k = 0; k < 9; k++, i++) { t[i] = 1; p[i] = 1; }
		for (int k = 0; k < 8; k++, i++) { t[i] = 1; p[i] = 2; }
		for (int k = 0; k < 3; k++, i++) t[i] = 1;
		for (int k = 0; k < 6; k++, i++) { t[i] = 2; p[i] = 1; }
		for (int k = 0; k < 4; k++, i++) t[i] = 2;
		for (int k = 0; k < 4; k++, i++) p[i] = 2;
		InstanceMatching.Counts c = InstanceMatching.match(t, p, 0.3)[0];
		assertEquals(2, c.tp());
		assertEquals(8.0 / 24 + 6.0 / 19, c.matchedIoU(), 1e-12);
	}

	@Test
	void thousandsOfShiftedSquares() {
		// 40 x 30 = 1200 squares of 8 x 8 px on a 10-px grid; the prediction is shifted by 1 px in x:
		// IoU = 56 / 72 = 0.777...
		int w = 400, h = 300;
		int[] t = new int[w * h], p = new int[w * h];
		int id = 0;
		for (int gy = 0; gy < 30; gy++)
			for (int gx = 0; gx < 40; gx++) {
				id++;
				for (int y = 0; y < 8; y++)
					for (int x = 0; x < 8; x++) {
						t[gx * 10 + 1 + x + w * (gy * 10 + 1 + y)] = id;
						p[gx * 10 + 2 + x + w * (gy * 10 + 1 + y)] = id;
					}
			}
		InstanceMatching.Counts[] c = InstanceMatching.match(t, p, InstanceMatching.THRESHOLDS);
		assertEquals(1200, c[5].tp()); // 0.75
		assertEquals(0, c[6].tp()); // 0.8
		assertEquals(1200, c[6].fp());
		assertEquals(1200 * 56.0 / 72, c[0].matchedIoU(), 1e-6);
		InstanceMatching.Counts[] sum = InstanceMatching.sum(List.of(c, c));
		assertEquals(2400, sum[0].tp());
		assertEquals(56.0 / 72, sum[0].panopticQuality(), 1e-9);
	}
}
