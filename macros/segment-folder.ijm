// unetseg: segment every image of a folder with a U-Net model folder.
// Writes <name>_labels (in the input's format) into the output folder; images whose output exists are
// skipped, so the macro can be run again after an interruption. options= takes unetseg segment's options
// without dashes, separated by commas (a ; inside a value stands for a comma), e.g. options=tile=256,border=mirror
//
// Interactive: Plugins > Macros > Run..., then choose the folders.
// Batch: ImageJ-linux64 -batch macros/segment-folder.ijm "input=/data/images model=/models/brain-mri-2d output=/data/labels options=overlap=0.25"
// Needs ImageJ's menus (a display, or Xvfb); on a headless node use macros/batch-headless.ijm.

args = getArgument();
input = argument(args, "input");
model = argument(args, "model");
output = argument(args, "output");
options = replace(replace(argument(args, "options"), ",", " "), ";", ",");
if (input == "") input = getDirectory("Folder of images to segment");
if (model == "") model = getDirectory("Model folder (saved_model.pb + model.json)");
if (output == "") output = getDirectory("Output folder");

run("unetseg Macro Extensions");
result = Ext.segment(input, model, output, options);
print("unetseg segment-folder: " + result);
if (startsWith(result, "error")) exit(result);

// value of key=value in a space-separated argument string, "" when absent
function argument(text, key) {
	parts = split(text, " ");
	for (i = 0; i < parts.length; i++)
		if (startsWith(parts[i], key + "=")) return substring(parts[i], lengthOf(key) + 1);
	return "";
}
