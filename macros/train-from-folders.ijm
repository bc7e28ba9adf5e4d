// unetseg: train a U-Net from a folder of images and a folder of label images (same file names,
// labels = class indices, 0 = background). The best model by validation Dice, history.csv and
// history.png are written into the output model folder.
//
// Batch: ImageJ-linux64 -batch macros/train-from-folders.ijm "images=/data/images labels=/data/labels output=/models/mine options=dims=2,classes=background;nucleus,epochs=50"
// Options (comma-separated here, ';' inside a class list): dims, classes, depth, filters, epochs,
// steps, batch, patch, lr, loss, seed, init (model to fine-tune), resume.

args = getArgument();
images = argument(args, "images");
labels = argument(args, "labels");
output = argument(args, "output");
options = replace(replace(argument(args, "options"), ",", " "), ";", ",");
if (images == "") images = getDirectory("Folder of training images");
if (labels == "") labels = getDirectory("Folder of label images");
if (output == "") output = getDirectory("New model folder");

run("unetseg Macro Extensions");
result = Ext.train(images, labels, output, options);
print("unetseg train: " + result);
if (startsWith(result, "error")) exit(result);

function argument(text, key) {
	parts = split(text, " ");
	for (i = 0; i < parts.length; i++)
		if (startsWith(parts[i], key + "=")) return substring(parts[i], lengthOf(key) + 1);
	return "";
}
