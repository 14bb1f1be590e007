#include "Commands.h"

#include "common/Error.h"
#include "common/Version.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace {

constexpr const char* kUsage = R"(usage: graft-cli COMMAND [ARGS] [--json]

Projects
  new FILE.graft                      create an empty project
  import FILE.graft PATH...           import an ImageFolder folder (root/<class>/*), loose images,
        [--class-names a,b,...]       a CSV of path,label, or a folder of IDX (MNIST) files
        [--domain NAME]               every image imported comes from domain NAME (lab, field, ...)
        [--task NAME]                 folder names, IDX labels and a CSV's label column label task NAME
                                      (made when new; default: the first task). A CSV headed
                                      path,disease,severity labels a task per column
  split FILE.graft [--val 0.1] [--test 0.1] [--seed 0] [--task NAME]
                                      re-split every labelled image, stratified by class (of task
                                      NAME; default: the first task)
  label FILE.graft LABELS.csv [--batch 100] [--task NAME]
                                      set labels from lines of IMAGE,CLASS (IMAGE: its SHA-256 or the
                                      name it was imported from; an empty CLASS clears), committed and
                                      reported batch by batch
  info FILE.graft                     classes (of each task), counts per split, and runs
  task FILE.graft add NAME | rename NAME NEW | remove NAME
                                      label sets: add one, rename one, or remove one with its
                                      classes and labels (the first task stays)

Training
  train FILE.graft [--arch tinynet] [--init|--weights scratch|FILE] [--epochs 5] [--batch-size 64]
        [--freeze none|probe|last:N|upto:BLOCK|blocks:A,B|gradual:E] [--lr-mult LO,HI|BLOCK=X,...]
        [--optimizer adam|sgd] [--momentum 0.9] [--nesterov] [--lr 0.003] [--weight-decay 0]
        [--schedule constant|step|cosine|onecycle] [--warmup-epochs 0] [--step-epochs N] [--gamma 0.1]
        [--seed 0] [--labels-per-class K] [--device auto|cpu|cuda[:N]] [--save-weights FILE]
        [--min-images-seen N]             more epochs for small sets: show the model at least N images
        [--max-steps N]                   stop after N steps, wherever the epoch is (benchmarks, quick tries)
        [--new-head]                      with --init: a fresh head for this project's classes
        [--input-size PX]                 crop to PX pixels, not the architecture's own (e.g. 160 for
                                          resnet18: about half the compute of 224)
        [--patience N] [--patience-metric val_loss|val_accuracy]    early stopping
        [--balanced]                      sample every class equally often
        [--augment none|standard|crop:S,flip:P,rotate:D,brightness:B,contrast:C,saturation:S,hue:H]
        [--loader-threads N]              threads decoding augmented batches (default: half the cores)
        [--input-memory 2048]             MB the decoded training and validation images may take;
                                          beyond it they are decoded batch by batch (same results)
        [--cached-views K]                with --augment and frozen leading blocks: cache their features
                                          for K augmented views and cycle through them
        [--no-feature-cache]              (frozen leading blocks otherwise run once, not every epoch)
        [--checkpoint-minutes 5]          also checkpoint within long epochs (0: every step)
        [--no-mixed-precision]            (CUDA only; on by default)
        [--no-channels-last]              (NCHW convolutions; NHWC is faster on CPU and GPU)
        [--no-bn-recalibration]           keep BatchNorm's running statistics as training left them,
                                          instead of re-estimating them over the training images
                                          before each validation (as plain PyTorch does)
        [--semi-supervised none|fixmatch] also learn from the unlabelled pool (FixMatch): a weak view's
                                          confident pseudo-label teaches a strong view
        [--unlabelled-ratio 7] [--threshold 0.95] [--unlabelled-weight 1]    FixMatch's mu, tau, lambda_u
        [--unlabelled-pool unlabelled|beyond-budget]   beyond-budget also hides the training labels
                                          --labels-per-class leaves out (a simulation)
        [--ema DECAY]                     validate and finish with an average of the weights (0.999)
        [--training-domains A,B]          train and validate on these domains' labelled images only
        [--target-domain NAME]            the domain the model is for: held-out figures use its test images
        [--adapt none|adabn|coral|dann]   adapt to the target domain with its images, labels unread:
                                          AdaBN statistics, Deep CORAL or DANN (gradient reversal)
        [--adaptation-weight 1]           CORAL's and DANN's loss weight
        [--tasks A,B]                     the label sets to learn (default: the first task); several:
                                          one backbone with a head per task
        [--task-weights equal|uncertainty|W1,W2]    how the tasks' losses are summed
  train FILE.graft --resume RUN [--device D]
                                      continue a stopped run exactly from its last checkpoint
        [--distributed]                   (either form) one rank of a data-parallel run: launched like
                                          torchrun (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE) or by
                                          srun (SLURM_PROCID, SLURM_NTASKS, with MASTER_ADDR/PORT);
                                          rank 0 opens the project, the others get the run from it
        [--distributed-timeout 300]       seconds a rank waits for the others before giving up
  lr-find FILE.graft [--start 1e-7] [--end 10] [--steps 100] and train's model options
                                      sweep the learning rate, print the loss curve and a suggestion
  eval FILE.graft --run ID [--split test|val|train] [--task NAME]
                                      accuracy, per-class precision/recall/F1, confusion matrix (of a
                                      multi-task run, of task NAME's head)
  pretrain SOURCE... --name NAME [--test SOURCE]... [--out .] [--arch tinynet] [--epochs 5]
        [--batch-size 64] [--optimizer adam] [--lr 0.003] [--weight-decay 0] [--schedule cosine]
        [--seed 0] [--max-steps N] [--device D] [--no-channels-last] [--no-bn-recalibration]
                                      train a backbone on labelled source data (anything import
                                      takes, an IDX images file too) and write NAME.pt with a manifest
                                      NAME.json: sources, recipe, seed, held-out accuracy, SHA-256
  pretrain PROJECT.graft --self-supervised simsiam --name NAME [--out .] [--arch tinynet]
        [--init scratch|FILE|builtin:NAME] [--epochs 5] [--batch-size 64] [--lr 0.05] [--optimizer sgd]
        [--weight-decay 1e-4] [--augment standard] [--seed 0] [--input-size PX] [--resume]
                                      SimSiam on the project's labelled training and unlabelled images
                                      (never validation or test); --resume continues a stopped one

Experiments
  experiment run FILE.graft SPEC.json|ID [--parallel 1]
                                      paired trials: every arm per seed and label budget, on the same
                                      images; finished trials are never redone, stopped ones resume
                                      (weights files in SPEC.json are relative to the current folder);
                                      --parallel N trains N trials at a time on the CPU's cores;
                                      a SPEC.json with "simulation" (see README) hides the training
                                      labels and lets each selection strategy reveal them round by
                                      round, training its "recipe" after every round
        [--distributed] [--distributed-timeout 300]
                                      spread the trials over ranks launched like train --distributed:
                                      rank 0 keeps the project, records and evaluates every trial;
                                      the others train the trials it sends (largest budget first), and
                                      a lost rank's trial resumes elsewhere
  compare FILE.graft ID [--out DIR]   the experiment's held-out metric (accuracy, balanced accuracy
                                      or macro-F1: SPEC.json's "metric") per arm and budget with 95 %
                                      intervals, the paired delta against the baseline, its verdict,
                                      McNemar's test, labels saved and ECE; writes
                                      FILE-experiment-ID.json, .csv and .md (misclassified images
                                      included) to DIR, the project's folder
  rank FILE.graft [--weights ARCH=FILE]...
                                      before training: LogME and LEEP of every cached zoo backbone,
                                      imported TorchScript extractor (LogME only) and weights file named,
                                      on the labelled training images
  suggest FILE.graft (--run ID | --backbone NAME [--weights FILE]) [--count 10] [--seed 0]
        [--strategy typical|random|diverse|uncertain|uncertain-per-cluster] [--json | --out FILE.csv]
                                      which unlabelled images to label next: typical (TypiClust, for
                                      the first labels), diverse (k-center greedy), uncertain (a run's
                                      smallest margins) or uncertain-per-cluster, on the run's or the
                                      backbone's features (NAME: a cached backbone, or with --weights an
                                      architecture); with a run, its predicted label and confidence
  gap FILE.graft (--run ID | --backbone NAME [--weights FILE]) [--domains A[,B]] [--max-images 1000]
        [--seed 0]                    how far images lie from what the model's BatchNorm layers
                                      remember of its source, block by block, and, for two sets, their
                                      pooled features' linear MMD, Frechet distance and proxy
                                      A-distance; a set is DOMAIN, DOMAIN:PART or *:PART, PART one of
                                      train, val, test, unlabelled

Export
  export FILE.graft --run ID --out MODEL.pt [--format torchscript|onnx] [--softmax] [--preprocess]
                                      the run's model (any native architecture) as TorchScript for
                                      torch.jit.load, or ONNX (opset 13); replays the held-out images
                                      through the file and keeps it only when it reproduces Graft
                                      (every top-1; outputs to 1e-5, ONNX under OpenCV DNN to 1e-4);
                                      --preprocess (TorchScript): the model takes decoded uint8 images,
                                      H x W x C, and resizes, crops and normalises them as Graft does
  export FILE.graft --run ID --bundle FOLDER [--calibrate]
                                      the same model with labels.json, preprocess.json, metrics.json
                                      and a model card (README.md), which state the held-out ECE;
                                      --calibrate records the temperature fitted on the validation
                                      images in calibration.json, and predict applies it
  predict IMAGE|FOLDER... --model BUNDLE|FILE.graft:RUN [--topk 5] [--out PREDICTIONS.csv|.json]
                                      top-k classes of each image (folders: every image under them)
                                      from an exported bundle or a run's best checkpoint
  explain FILE.graft --run ID IMAGE|FOLDER... --out DIR [--class NAME|INDEX] [--block BLOCK]
                                      Grad-CAM of the run's best checkpoint: where in each image the
                                      evidence for the predicted (or given) class lies, at BLOCK
                                      (default: the last convolutional stage; see zoo show); writes
                                      DIR/IMAGE.png (the map over the image the model saw),
                                      DIR/IMAGE.npy (the map, float32 in [0, 1]) and DIR/explain.json

Backbones
  zoo list                            every backbone a run can start from: the native architectures
                                      and their ImageNet weights, the weights built into Graft, and
                                      imported TorchScript extractors
  zoo show NAME [--input PX]          its blocks: type, parameters, output shape, FLOPs
  zoo download NAME                   fetch the official weights into the cache (resumes; SHA-256 checked)
  zoo import NAME FILE.pth            add weights you already have (hash and architecture checked)
  zoo import-script NAME FILE.pt      a TorchScript feature extractor, frozen; train on it as script:NAME
        [--input 224] [--resize 256] [--mean R,G,B] [--std R,G,B] [--interpolation bilinear|bicubic]
  predict IMAGE... --backbone NAME    top-k classes of each image (ImageNet names for 1000 outputs)
        [--weights FILE.pth] [--topk 5] [--labels FILE.txt]

Other
  demo [--out FILE.graft] [--run]     create the demo project (OpenCV's digits, from opencv-doc: 10
        [--digits digits.png]         labelled per digit, the rest held out) with its experiment,
        [--parallel 1]                TinyNet pretrained on Fashion-MNIST vs scratch vs a linear probe;
                                      --run trains it and prints the verdicts (default FILE:
                                      ~/.local/share/graft/demo.graft, where the GUI's Help menu finds it)
  demo --domain-shift [--out FILE.graft] [--run] [--seeds 10] [--printed-per-digit 500]
                                      the domain-shift benchmark: printed digits (Hershey fonts) to
                                      OpenCV's handwritten ones; source only, AdaBN, Deep CORAL, DANN
                                      and 10 or all handwritten labels (default FILE:
                                      ~/.local/share/graft/domain-shift.graft)
  demo --multi-task [--out FILE.graft] [--run] [--seeds 10]
                                      the multi-task example: OpenCV's digits labelled by digit and by
                                      parity; one network with a head per task against one per task,
                                      and a verdict per task (default FILE:
                                      ~/.local/share/graft/multi-task.graft)
  bench [--repeats 3] [--quick]       Graft against PyTorch on the same workloads, side by side
        [--threads N]                 both sides on N threads (default: every core)
        [--only W2,W5]                these workloads alone (W6, the GEMM peak, always runs)
        [--python /usr/bin/python3] [--reference tests/bench/pytorch_reference.py]

--json prints machine-readable output. Ctrl+C stops imports and training cleanly.
)";

// The usage entries of one command: each starts "  COMMAND " at the line's start, and its
// continuation lines are indented further.
std::string usageOf(const std::string& command) {
    std::string entries;
    bool inEntry = false;
    std::size_t start = 0;
    const std::string_view usage(kUsage);
    while (start < usage.size()) {
        const std::size_t end = std::min(usage.find('\n', start), usage.size());
        const std::string_view line = usage.substr(start, end - start);
        const bool entryStart = line.starts_with("  ") && line.size() > 2 && line[2] != ' ';
        if (entryStart) inEntry = line.substr(2).starts_with(command + " ") || line.substr(2) == command;
        else if (!line.starts_with("    ")) inEntry = false;
        if (inEntry) entries.append(line).append("\n");
        start = end + 1;
    }
    return entries;
}

} // namespace

int main(int argc, char** argv) {
    using namespace graft::cli;
    const std::map<std::string, std::function<int(Arguments&)>> commands = {
        {"new", commandNew},     {"import", commandImport}, {"split", commandSplit}, {"label", commandLabel}, {"info", commandInfo},
        {"task", commandTask},
        {"train", commandTrain}, {"lr-find", commandLrFind}, {"eval", commandEval}, {"pretrain", commandPretrain},     {"demo", commandDemo}, {"zoo", commandZoo},
        {"predict", commandPredict}, {"explain", commandExplain}, {"experiment", commandExperiment}, {"compare", commandCompare},
        {"rank", commandRank}, {"suggest", commandSuggest}, {"gap", commandGap}, {"export", commandExport}, {"bench", commandBench}};

    const std::vector<std::string> tokens(argv + 1, argv + argc);
    if (tokens.empty() || tokens[0] == "--help" || tokens[0] == "-h" || tokens[0] == "help") {
        std::fputs(kUsage, tokens.empty() ? stderr : stdout);
        return tokens.empty() ? 2 : 0;
    }
    if (tokens[0] == "--version") {
        std::printf("graft-cli %s\n", graft::kGraftVersion);
        return 0;
    }
    const auto command = commands.find(tokens[0]);
    if (command == commands.end()) {
        std::fprintf(stderr, "graft-cli: unknown command '%s'\n\n%s", tokens[0].c_str(), kUsage);
        return 2;
    }
    if (std::find_if(tokens.begin() + 1, tokens.end(), [](const std::string& token) { return token == "--help" || token == "-h"; }) !=
        tokens.end()) {
        std::printf("usage:\n%s\n--json prints machine-readable output. Every command: graft-cli --help\n",
                    usageOf(tokens[0]).c_str());
        return 0;
    }
    try {
        std::set<std::string> flags = {"--json", "--nesterov", "--no-feature-cache", "--balanced", "--no-mixed-precision",
                                       "--no-channels-last", "--no-bn-recalibration", "--new-head", "--softmax", "--preprocess", "--quick", "--calibrate",
                                       "--distributed"};
        if (tokens[0] == "demo") flags.insert({"--run", "--domain-shift", "--multi-task"}); // elsewhere --run takes a run id
        Arguments args({tokens.begin() + 1, tokens.end()}, flags);
        return command->second(args);
    } catch (const UsageError& error) {
        std::fprintf(stderr, "graft-cli %s: %s\n(see graft-cli --help)\n", tokens[0].c_str(), error.what());
        return 2;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "graft-cli %s: error: %s\n", tokens[0].c_str(), error.what());
        return 1;
    }
}
