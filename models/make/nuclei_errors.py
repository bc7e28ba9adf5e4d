#!/usr/bin/python3
"""Issue 13, session 13: where the unmatched nuclei of one held-out group go. For each image of GROUP (split.csv)
matches the predicted objects (PRED_DIR/<id>_labels.tif from nuclei_eval.sh) with the true ones (DATA/test-group/labels)
at IoU 0.5 and sorts each unmatched true nucleus into missed (under half of it covered by objects), merged (its
best object also covers another nucleus and is larger than it), split (two objects cover it) or poor (matched below
0.5); prints the counts by nucleus area. Uses Debian numpy, Pillow and tifffile:
  /usr/bin/python3 models/make/nuclei_errors.py PRED_DIR DATA GROUP"""
import os, sys, csv, numpy as np, tifffile
from PIL import Image
split = {r["id"]: r["group"] for r in csv.DictReader(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nuclei-fluo-2d", "split.csv")))}
pred_dir, data, grp = sys.argv[1], sys.argv[2], sys.argv[3]
cats = {"missed":0, "merged":0, "split":0, "poor":0}
fn_areas=[]; all_areas=[]; fp_cats={"nooverlap":0,"fragment":0,"poor":0}; fp_areas=[]
for i,g in split.items():
    if g != grp: continue
    gt = np.array(Image.open(f"{data}/test-group/labels/{i}.png")).astype(np.int64)
    pr = tifffile.imread(f"{pred_dir}/{i}_labels.tif").astype(np.int64)
    ng, npd = gt.max()+1, pr.max()+1
    c = np.bincount((gt*npd+pr).ravel(), minlength=ng*npd).reshape(ng,npd)
    ga, pa = c.sum(1), c.sum(0)
    iou = c/ (ga[:,None]+pa[None,:]-c+1e-9)
    iou[0,:]=0; iou[:,0]=0
    mg = iou.max(1)>0.5; mp = iou.max(0)>0.5
    for k in range(1,ng):
        if ga[k]==0: continue
        all_areas.append(ga[k])
        if mg[k]: continue
        fn_areas.append(ga[k])
        ov = c[k,1:]
        if ov.sum() < 0.5*ga[k]: cats["missed"]+=1; continue
        j = 1+ov.argmax()
        # pred j covers other gt objects too?
        others = (c[1:,j] > 0.2*ga[1:]).sum() - 1
        if others>=1 and pa[j] > 1.3*ga[k]: cats["merged"]+=1
        elif (ov > 0.15*ga[k]).sum()>=2: cats["split"]+=1
        else: cats["poor"]+=1
    for j in range(1,npd):
        if pa[j]==0 or mp[j]: continue
        fp_areas.append(pa[j])
        ov=c[1:,j]
        if ov.sum() < 0.5*pa[j]: fp_cats["nooverlap"]+=1
        elif ov.max() > 0.5*pa[j]: fp_cats["fragment"]+=1
        else: fp_cats["poor"]+=1
print(grp, "GT", len(all_areas), "FN", len(fn_areas), cats, "FP", len(fp_areas), fp_cats)
a=np.array(all_areas); f=np.array(fn_areas)
for lo,hi in [(0,44),(44,80),(80,150),(150,400),(400,1e9)]:
    print(f"area {lo}-{hi}: GT {((a>=lo)&(a<hi)).sum()} FN {((f>=lo)&(f<hi)).sum()}")
