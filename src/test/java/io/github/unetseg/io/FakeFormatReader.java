package io.github.unetseg.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A test double with the methods of Bio-Formats' {@code IFormatReader} that {@link BioFormatsReader}
 * calls, behaving like Bio-Formats' "fake" format: the file holds {@code key=value} lines (sizeX, sizeY,
 * sizeZ, sizeC, pixelType as FormatTools' codes, little, physicalX/Y/Z in micrometres, rgb) and pixel
 * values are {@code x + 10 y + 100 z + 1000 c}. Planes are ordered XYCZT like many microscopy files, so
 * {@code getIndex} matters. A file without {@code sizeX} is rejected as Bio-Formats rejects unknown
 * files.
 */
public class FakeFormatReader {

	private Map<String, String> p = new HashMap<>();
	boolean closed;

	public void setId(String id) throws IOException {
		for (String l : Files.readAllLines(Path.of(id)))
			if (l.contains("=")) p.put(l.substring(0, l.indexOf('=')).trim(), l.substring(l.indexOf('=') + 1).trim());
		if (!p.containsKey("sizeX")) throw new IOException("Unknown file format: " + id);
	}

	public void setSeries(int s) {}

	int get(String k, int d) {
		return Integer.parseInt(p.getOrDefault(k, "" + d));
	}

	public int getSizeX() { return get("sizeX", 1); }
	public int getSizeY() { return get("sizeY", 1); }
	public int getSizeZ() { return get("sizeZ", 1); }
	public int getSizeC() { return get("sizeC", 1); }
	public int getSizeT() { return get("sizeT", 1); }
	public int getRGBChannelCount() { return get("rgb", 1); }
	public int getEffectiveSizeC() { return getSizeC() / getRGBChannelCount(); }
	public int getSeriesCount() { return 1; }
	public boolean isInterleaved() { return false; }
	public int getOptimalTileWidth() { return getSizeX(); }
	public int getOptimalTileHeight() { return 1; }
	public int getPixelType() { return get("pixelType", 3); }
	public boolean isLittleEndian() { return Boolean.parseBoolean(p.getOrDefault("little", "false")); }

	/** XYCZT: channel fastest among planes. */
	public int getIndex(int z, int c, int t) {
		return c + getSizeC() * (z + getSizeZ() * t);
	}

	public byte[] openBytes(int no, int x, int y, int w, int h) {
		int c = no % getSizeC(), z = no / getSizeC() % getSizeZ();
		int type = getPixelType();
		int bytes = type == 1 || type == 0 ? 1 : type == 2 || type == 3 ? 2 : type == 7 ? 8 : 4;
		ByteBuffer b = ByteBuffer.allocate(w * h * bytes).order(isLittleEndian() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
		for (int yy = y; yy < y + h; yy++)
			for (int xx = x; xx < x + w; xx++) {
				int v = xx + 10 * yy + 100 * z + 1000 * c;
				switch (type) {
					case 0, 1 -> b.put((byte) v);
					case 2, 3 -> b.putShort((short) v);
					case 6 -> b.putFloat(v);
					case 7 -> b.putDouble(v);
					default -> b.putInt(v);
				}
			}
		return b.array();
	}

	public Object getMetadataStore() {
		return new Store();
	}

	public void close() {
		closed = true;
	}

	/** The part of OME's MetadataRetrieve the adapter uses. */
	public class Store {
		public Length getPixelsPhysicalSizeX(int series) { return length("physicalX"); }
		public Length getPixelsPhysicalSizeY(int series) { return length("physicalY"); }
		public Length getPixelsPhysicalSizeZ(int series) { return length("physicalZ"); }

		Length length(String key) {
			return p.containsKey(key) ? new Length(Double.parseDouble(p.get(key))) : null;
		}
	}

	/** Like ome.units.quantity.Length: value() and unit().getSymbol(). */
	public static class Length {
		final double v;

		Length(double v) {
			this.v = v;
		}

		public Number value() { return v; }
		public Unit unit() { return new Unit(); }
	}

	/** Like ome.units.unit.Unit. */
	public static class Unit {
		public String getSymbol() { return "µm"; }
	}
}
