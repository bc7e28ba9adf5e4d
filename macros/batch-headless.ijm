// unetseg: headless batch segmentation (and optional evaluation) for cluster nodes without a display.
// Uses call(), which needs no ImageJ menus, so it runs in plain ImageJ 1.54 and in Fiji headless:
//   java -Djava.awt.headless=true -cp ij.jar:unetseg.jar:lib/* ij.ImageJ -batch macros/batch-headless.ijm "input=/data/in model=/models/m output=/data/out truth=/data/truth"
//   ImageJ-linux64 --headless -batch macros/batch-headless.ijm "input=... model=... output=..."
// truth= is optional; with it a report.csv is written into the output folder. options= takes unetseg segment's
// options without dashes, separated by commas (a ; inside a value stands for a comma), e.g. options=border=mirror,batch=2

args = getArgument();
input = argument(args, "input");
model = argument(args, "model");
output = argument(args, "output");
truth = argument(args, "truth");
options = replace(replace(argument(args, "options"), ",", " "), ";", ",");
if (input == "" || model == "" || output == "") exit("usage: input=FILE_OR_FOLDER model=MODEL_FOLDER output=FOLDER [truth=FOLDER] [options=KEY=VALUE,...]");

result = call("io.github.unetseg.macro.UnetsegMacros.segment", input, model, output, options);
print("unetseg segment: " + result);
if (startsWith(result, "error")) exit(result);
if (truth != "") {
	meanDice = call("io.github.unetseg.macro.UnetsegMacros.evaluate", output, truth, output + "/report.csv");
	print("unetseg evaluate: mean Dice " + meanDice);
}

function argument(text, key) {
	parts = split(text, " ");
	for (i = 0; i < parts.length; i++)
		if (startsWith(parts[i], key + "=")) return substring(parts[i], lengthOf(key) + 1);
	return "";
}
