"""tactic_costs.py BS [MODEL] — where a cuda FP16 build's time goes, tactic by tactic: the builder's
verbose log lines ("layer 'L': tactic T X ms" after each tactic is timed) stamped on arrival; the
time between two lines of one layer is the later tactic's creation, set-up and timing. Prints
seconds and wins (fastest at a layer) per tactic. MODEL: an ONNX file with input 'input'
[BS, 3, 224, 224] (default /tmp/r50.onnx). Needs MIRT_LIBRARY and MIRT_MODULE_PATH set; run from the
repository root."""
import collections, re, sys, time
sys.path.insert(0, "python")
import mirt

bs = int(sys.argv[1])
last = [time.perf_counter()]
cost = collections.defaultdict(float)
count = collections.Counter()
per_layer = collections.defaultdict(list)

def on_log(level, source, message):
    now = time.perf_counter()
    m = re.match(r"layer '(.+)': tactic (\S+) (skipped|[\d.e+-]+)", message)
    if m:
        layer, tactic, result = m.groups()
        cost[tactic] += now - last[0]
        count[tactic] += 1
        if result != "skipped":
            per_layer[layer].append((float(result.rstrip(" ms")), tactic))
    last[0] = now

mirt.set_log_callback(on_log, mirt.LogLevel.VERBOSE)
net = mirt.parse_onnx(sys.argv[2] if len(sys.argv) > 2 else "/tmp/r50.onnx")
shape = (bs, 3, 224, 224)
config = mirt.BuilderConfig(backend="cuda", precision=mirt.Precision.FP16, profiles=[{"input": (shape, shape, shape)}])
start = time.perf_counter()
plan = config.build(net)
print(f"bs {bs}: built in {time.perf_counter() - start:.1f} s")
wins = collections.Counter(min(v)[1] for v in per_layer.values() if v)
for tactic in sorted(cost, key=lambda t: -cost[t]):
    print(f"  {tactic:45s} {cost[tactic]:6.2f} s over {count[tactic]:3d} layers, fastest in {wins[tactic]}")
