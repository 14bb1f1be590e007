#include "common/Error.h"
#include "distributed/RankAssignment.h"

#include <gtest/gtest.h>

#include <map>

namespace graft {
namespace {

EnvironmentLookup environment(std::map<std::string, std::string> variables) {
    return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
        const auto found = variables.find(name);
        if (found == variables.end()) return std::nullopt;
        return found->second;
    };
}

std::string errorOf(const std::map<std::string, std::string>& variables) {
    try {
        rankAssignmentFrom(environment(variables));
    } catch (const Error& error) {
        return error.what();
    }
    return "";
}

TEST(RankAssignment, ReadsTorchrunsVariables) {
    const auto assignment = rankAssignmentFrom(environment(
        {{"MASTER_ADDR", "node-a"}, {"MASTER_PORT", "29500"}, {"RANK", "5"}, {"WORLD_SIZE", "8"}, {"LOCAL_RANK", "1"}}));
    EXPECT_EQ(assignment.source, "torchrun");
    EXPECT_EQ(assignment.rank, 5);
    EXPECT_EQ(assignment.worldSize, 8);
    EXPECT_EQ(assignment.localRank, 1);
    EXPECT_EQ(assignment.describeMaster(), "node-a:29500");
}

TEST(RankAssignment, ReadsSlurmsVariablesWithTheMasterGiven) {
    const auto assignment = rankAssignmentFrom(environment({{"MASTER_ADDR", "10.0.0.7"}, {"MASTER_PORT", "4000"},
                                                            {"SLURM_PROCID", "3"}, {"SLURM_NTASKS", "4"}, {"SLURM_LOCALID", "0"}}));
    EXPECT_EQ(assignment.source, "Slurm");
    EXPECT_EQ(assignment.rank, 3);
    EXPECT_EQ(assignment.worldSize, 4);
    EXPECT_EQ(assignment.localRank, 0);
}

TEST(RankAssignment, TorchrunsVariablesWinOverSlurms) {
    const auto assignment = rankAssignmentFrom(environment({{"MASTER_ADDR", "a"}, {"MASTER_PORT", "1"}, {"RANK", "0"},
                                                            {"WORLD_SIZE", "2"}, {"SLURM_PROCID", "1"}, {"SLURM_NTASKS", "2"}}));
    EXPECT_EQ(assignment.source, "torchrun");
    EXPECT_EQ(assignment.rank, 0);
}

TEST(RankAssignment, ErrorsNameTheVariableAndItsValue) {
    EXPECT_NE(errorOf({}).find("RANK and WORLD_SIZE"), std::string::npos);
    EXPECT_NE(errorOf({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "1"}}).find("MASTER_ADDR is not set"),
              std::string::npos);
    EXPECT_NE(errorOf({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "1"}})
                  .find("RANK is '2', not a whole number from 0 to 1"),
              std::string::npos);
    EXPECT_NE(errorOf({{"RANK", "0"}, {"WORLD_SIZE", "two"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "1"}}).find("WORLD_SIZE is 'two'"),
              std::string::npos);
    EXPECT_NE(errorOf({{"RANK", "0"}, {"WORLD_SIZE", "1"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "70000"}}).find("MASTER_PORT"),
              std::string::npos);
    EXPECT_NE(errorOf({{"SLURM_PROCID", "0"}, {"MASTER_ADDR", "a"}, {"MASTER_PORT", "1"}}).find("SLURM_NTASKS is not set"),
              std::string::npos);
}

TEST(RankAssignment, AnOpenDeviceRequestTakesTheGpuOfTheLocalRank) {
    RankAssignment assignment;
    assignment.localRank = 5;
    EXPECT_EQ(assignment.deviceFor("auto", 4), "cuda:1");
    EXPECT_EQ(assignment.deviceFor("cuda", 8), "cuda:5");
    EXPECT_EQ(assignment.deviceFor("cuda:2", 8), "cuda:2");
    EXPECT_EQ(assignment.deviceFor("cpu", 8), "cpu");
    EXPECT_EQ(assignment.deviceFor("auto", 0), "auto");
}

} // namespace
} // namespace graft
