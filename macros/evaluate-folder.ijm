// unetseg: compare a folder of predicted label images with a folder of ground truth (matched by name;
// a_labels.tif pairs with a.tif) and write a CSV report with Dice, IoU, Hausdorff, HD95, ASSD and
// surface Dice per image and class, plus <report>_summary.csv (mean, median, std).
//
// Batch: ImageJ-linux64 -batch macros/evaluate-folder.ijm "prediction=/data/labels truth=/data/truth report=/data/report.csv"

args = getArgument();
prediction = argument(args, "prediction");
truth = argument(args, "truth");
report = argument(args, "report");
if (prediction == "") prediction = getDirectory("Folder of predicted label images");
if (truth == "") truth = getDirectory("Folder of ground-truth label images");
if (report == "") report = File.openDialog("Report CSV to write");

run("unetseg Macro Extensions");
meanDice = Ext.evaluate(prediction, truth, report);
print("unetseg evaluate: mean Dice " + meanDice + ", report " + report);
if (startsWith(meanDice, "error")) exit(meanDice);

function argument(text, key) {
	parts = split(text, " ");
	for (i = 0; i < parts.length; i++)
		if (startsWith(parts[i], key + "=")) return substring(parts[i], lengthOf(key) + 1);
	return "";
}
