package io.github.unetseg.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.unetseg.SegmentationException;

class LabelClassesTest {

	static final List<String> CLASSES = List.of("background", "Brainstem", "SpinalCord", "RightParotid");

	@TempDir
	Path dir;

	@Test
	void imageAndClassesColumns() throws Exception {
		Path csv = Files.writeString(dir.resolve("c.csv"), "image,classes\ncase1,Brainstem;rightparotid\ncase2,\n");
		LabelClasses lc = LabelClasses.read(csv);
		assertArrayEquals(new boolean[] { true, true, false, true }, lc.present("case1", CLASSES));
		assertArrayEquals(new boolean[] { true, false, false, false }, lc.present("case2", CLASSES));
		assertEquals(List.of("case3"), lc.missing(List.of("case1", "case3")));
		SegmentationException e = assertThrows(SegmentationException.class, () -> lc.present("case3", CLASSES));
		assertTrue(e.getMessage().contains("no row for case3"), e.getMessage());
	}

	@Test
	void openKbpIndexAsItIs() throws Exception {
		Path csv = Files.writeString(dir.resolve("index.csv"), "split,patient,ct_present,spacing_mm,rois,ct_min,ct_max\n" +
			"train-pats,pt_1,True,3.9 3.9 2.5,Brainstem;SpinalCord;PTV70,0,3976\n" +
			"train-pats,pt_10,True,3.9 3.9 2.5,RightParotid,0,3976\n");
		LabelClasses lc = LabelClasses.read(csv);
		// base names are <split>_<patient> or start with it and an underscore; pt_1 is not a prefix of pt_10
		assertArrayEquals(new boolean[] { true, true, true, false }, lc.present("train-pats_pt_1", CLASSES));
		assertArrayEquals(new boolean[] { true, false, false, true }, lc.present("train-pats_pt_10_ct", CLASSES));
		assertEquals(List.of(), lc.missing(List.of("train-pats_pt_1", "train-pats_pt_10")));
	}

	@Test
	void aFileWithoutTheColumnsNamesThem() throws Exception {
		Path csv = Files.writeString(dir.resolve("bad.csv"), "name,organs\na,b\n");
		SegmentationException e = assertThrows(SegmentationException.class, () -> LabelClasses.read(csv));
		assertTrue(e.getMessage().contains("'image' and 'classes'"), e.getMessage());
	}
}
