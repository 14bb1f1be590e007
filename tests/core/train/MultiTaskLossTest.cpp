#include "train/MultiTaskLoss.h"

#include "common/Error.h"

#include "PythonReference.h"
#include "TempDir.h"
#include "TensorRows.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>

namespace graft {
namespace {

using testing::tensorRows;

// A shared backbone (Linear + ReLU) and one Linear whose rows are the heads of tasks of 3 and 2
// classes: the layout a multi-task classifier trains.
struct TwoHeadModel {
    torch::nn::Linear backbone{nullptr};
    torch::nn::Linear head{nullptr};
    TaskColumns columns{{3, 2}};

    TwoHeadModel() {
        torch::manual_seed(11);
        backbone = torch::nn::Linear(6, 5);
        head = torch::nn::Linear(5, columns.total());
    }
    torch::Tensor logits(const torch::Tensor& images) { return head->forward(torch::relu(backbone->forward(images))); }
    void zeroGrad() {
        for (auto& parameter : backbone->parameters()) parameter.mutable_grad() = torch::Tensor();
        for (auto& parameter : head->parameters()) parameter.mutable_grad() = torch::Tensor();
    }
};

// Six images' labels in the two tasks: image 1 has none in the second, 2 none in the first, 5 none at all.
torch::Tensor sixImagesLabels() {
    return torch::tensor(std::vector<std::int64_t>{0, 1, 2, kNoLabel, kNoLabel, 0, 1, kNoLabel, 2, 1, kNoLabel, kNoLabel})
        .reshape({6, 2});
}

TEST(MultiTaskLoss, AnImageWithoutALabelInATaskChangesNoGradientOfThatTasksHead) {
    TwoHeadModel model;
    MultiTaskLoss loss(model.columns, std::vector<double>{1.0, 1.0});
    torch::manual_seed(2);
    auto images = torch::randn({6, 6});
    loss->forward(model.logits(images), sixImagesLabels()).total.backward();
    const auto secondHead = model.head->weight.grad().slice(0, 3, 5).clone();
    const auto secondBias = model.head->bias.grad().slice(0, 3, 5).clone();
    ASSERT_GT(secondHead.abs().sum().item<double>(), 0.0);

    // Image 1 has no label in the second task: whatever it looks like, that head learns the same.
    images[1] = torch::randn({6}) * 10;
    model.zeroGrad();
    loss->forward(model.logits(images), sixImagesLabels()).total.backward();
    EXPECT_LT((model.head->weight.grad().slice(0, 3, 5) - secondHead).abs().max().item<double>(), 1e-7);
    EXPECT_LT((model.head->bias.grad().slice(0, 3, 5) - secondBias).abs().max().item<double>(), 1e-7);

    // The same as if it were not in the batch at all.
    const auto without = torch::tensor({0, 2, 3, 4, 5}, torch::kLong);
    model.zeroGrad();
    loss->forward(model.logits(images.index_select(0, without)), sixImagesLabels().index_select(0, without)).total.backward();
    EXPECT_LT((model.head->weight.grad().slice(0, 3, 5) - secondHead).abs().max().item<double>(), 1e-6);

    // And a task no image of the batch is labelled in adds nothing (not NaN).
    model.zeroGrad();
    const auto onlyFirst = torch::tensor(std::vector<std::int64_t>{0, kNoLabel, 2, kNoLabel}).reshape({2, 2});
    const auto terms = loss->forward(model.logits(images.slice(0, 0, 2)), onlyFirst);
    terms.total.backward();
    EXPECT_EQ(terms.labelled, (std::vector<std::int64_t>{2, 0}));
    EXPECT_EQ(terms.perTask[1], 0.0);
    EXPECT_TRUE(std::isfinite(terms.total.item<double>()));
}

nlohmann::json referenceInput(TwoHeadModel& model, const torch::Tensor& images) {
    nlohmann::json heads = nlohmann::json::array();
    for (std::size_t task = 0; task < model.columns.tasks(); ++task) {
        const auto rows = torch::arange(model.columns.offset(task), model.columns.offset(task) + model.columns.classes(task));
        heads.push_back({{"weight", tensorRows(model.head->weight.detach().index_select(0, rows))},
                         {"bias", tensorRows(model.head->bias.detach().index_select(0, rows).unsqueeze(0))[0]}});
    }
    std::vector<std::vector<std::int64_t>> labels;
    const auto given = sixImagesLabels();
    for (std::int64_t i = 0; i < given.size(0); ++i) labels.push_back({given[i][0].item<std::int64_t>(), given[i][1].item<std::int64_t>()});
    return {{"backbone_weight", tensorRows(model.backbone->weight.detach())},
            {"backbone_bias", tensorRows(model.backbone->bias.detach().unsqueeze(0))[0]},
            {"heads", heads},
            {"images", tensorRows(images)},
            {"labels", labels}};
}

void expectNear(const torch::Tensor& actual, const nlohmann::json& expected, const std::string& name) {
    const auto rows = actual.dim() == 1 ? actual.unsqueeze(0) : actual;
    for (std::int64_t i = 0; i < rows.size(0); ++i)
        for (std::int64_t j = 0; j < rows.size(1); ++j) {
            const auto& value = actual.dim() == 1 ? expected[std::size_t(j)] : expected[std::size_t(i)][std::size_t(j)];
            EXPECT_NEAR(rows[i][j].item<double>(), value.get<double>(), 1e-5) << name << " [" << i << "][" << j << "]";
        }
}

void expectReferenceGradients(TwoHeadModel& model, const nlohmann::json& reference) {
    const auto& gradients = reference.at("gradients");
    expectNear(model.backbone->weight.grad(), gradients.at("backbone_weight"), "backbone weight");
    expectNear(model.backbone->bias.grad(), gradients.at("backbone_bias"), "backbone bias");
    expectNear(model.head->weight.grad().slice(0, 0, 3), gradients.at("head0_weight"), "first head weight");
    expectNear(model.head->bias.grad().slice(0, 0, 3), gradients.at("head0_bias"), "first head bias");
    expectNear(model.head->weight.grad().slice(0, 3, 5), gradients.at("head1_weight"), "second head weight");
    expectNear(model.head->bias.grad().slice(0, 3, 5), gradients.at("head1_bias"), "second head bias");
}

TEST(MultiTaskLoss, TwoHeadsWithFixedWeightsGiveThePythonReferencesLossAndGradients) {
    TwoHeadModel model;
    torch::manual_seed(5);
    const auto images = torch::randn({6, 6});
    MultiTaskLoss loss(model.columns, std::vector<double>{1.0, 0.4});
    const auto terms = loss->forward(model.logits(images), sixImagesLabels());
    terms.total.backward();

    testing::TempDir dir;
    auto input = referenceInput(model, images);
    input["weights"] = {1.0, 0.4};
    std::ofstream(dir / "input.json") << input.dump();
    const auto reference = testing::pythonReferenceJson(MULTITASK_REFERENCE_SCRIPT, (dir / "input.json").string());
    EXPECT_NEAR(terms.total.item<double>(), reference.at("loss").get<double>(), 1e-5);
    EXPECT_NEAR(terms.perTask[0], reference.at("per_task")[0].get<double>(), 1e-5);
    EXPECT_NEAR(terms.perTask[1], reference.at("per_task")[1].get<double>(), 1e-5);
    expectReferenceGradients(model, reference);
}

TEST(MultiTaskLoss, UncertaintyWeightingGivesThePythonReferencesLossAndGradientsWithItsVariances) {
    TwoHeadModel model;
    torch::manual_seed(6);
    const auto images = torch::randn({6, 6});
    MultiTaskLoss loss(model.columns);
    {
        torch::NoGradGuard noGrad;
        loss->named_parameters()["log_variances"].copy_(torch::tensor({0.3f, -0.2f}));
    }
    const auto terms = loss->forward(model.logits(images), sixImagesLabels());
    terms.total.backward();
    EXPECT_NEAR(loss->weights()[0], std::exp(-0.3), 1e-6);

    testing::TempDir dir;
    auto input = referenceInput(model, images);
    input["log_variances"] = {0.3, -0.2};
    std::ofstream(dir / "input.json") << input.dump();
    const auto reference = testing::pythonReferenceJson(MULTITASK_REFERENCE_SCRIPT, (dir / "input.json").string());
    EXPECT_NEAR(terms.total.item<double>(), reference.at("loss").get<double>(), 1e-5);
    expectReferenceGradients(model, reference);
    expectNear(loss->named_parameters()["log_variances"].grad(), reference.at("gradients").at("log_variances"), "log variances");
}

TEST(MultiTaskLoss, RefusesMismatchedShapesWeightsAndOneClassHeads) {
    EXPECT_THROW(TaskColumns({3, 1}), Error);
    EXPECT_THROW(TaskColumns(std::vector<std::int64_t>{}), Error);
    EXPECT_THROW(MultiTaskLoss(TaskColumns({3, 2}), std::vector<double>{1.0}), Error);
    EXPECT_THROW(MultiTaskLoss(TaskColumns({3, 2}), std::vector<double>{1.0, -1.0}), Error);
    MultiTaskLoss loss(TaskColumns({3, 2}), std::vector<double>{1.0, 1.0});
    EXPECT_THROW(loss->forward(torch::zeros({6, 4}), sixImagesLabels()), Error);
    EXPECT_THROW(loss->forward(torch::zeros({6, 5}), sixImagesLabels().select(1, 0)), Error);
}

} // namespace
} // namespace graft
