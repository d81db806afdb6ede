// Op orders on small cases, written out by executing each schedule's
// definition by hand (DESIGN.md notation).
#include <gtest/gtest.h>

#include "models/schedule/notation.hpp"
#include "models/schedule/schedule.hpp"

namespace v3sim::models {
namespace {

std::vector<std::string> programs(ScheduleKind kind, int stages, int microbatches, int chunks = 1) {
  ScheduleSpec spec;
  spec.kind = kind;
  spec.stages = stages;
  spec.microbatches = microbatches;
  spec.chunks = chunks;
  const Schedule s = make_schedule(spec);
  std::vector<std::string> out;
  for (int r = 0; r < s.ranks; ++r) out.push_back(format_program(s, r));
  return out;
}

// DualPipe, 4 ranks, 10 micro-batches (5 per direction), following the
// reference implementation's eight steps per rank: e.g. rank 0 (h = 0) runs
// step 1: 2 forwards; step 2: one F/F-reverse pair; step 3: I, W, F on the
// reverse lane; step 4: 2 rounds of two overlapped pairs; step 5: B then a
// pair; step 6: B (no deferral yet), then I (deferral on from half-way);
// step 7: W, I; step 8: W. The middle ranks 1 and 2 run step 4's first pair
// un-overlapped.
TEST(ScheduleOrder, DualPipeFourRanksTenMicrobatches) {
  EXPECT_EQ(programs(ScheduleKind::kDualPipe, 4, 10),
            (std::vector<std::string>{
                "rank0: F0 F1 F2 F0r I0r W0r F1r [F3&B1r] [F2r&B0] [F4&B2r] [F3r&B1] B3r [F4r&B2] B4r I3 W3 I4 W4",
                "rank1: F0 F0r F1 F1r F2 B0r [F2r&B0] [F3&B1r] [F3r&B1] [F4&B2r] [F4r&B2] B3r B3 I4r I4 W4r W4",
                "rank2: F0r F0 F1r F1 F2r B0 [F2&B0r] [F3r&B1] [F3&B1r] [F4r&B2] [F4&B2r] B3 B3r I4 I4r W4 W4r",
                "rank3: F0r F1r F2r F0 I0 W0 F1 [F3r&B1] [F2&B0r] [F4r&B2] [F3&B1r] B3 [F4&B2r] B4 I3r W3r I4r W4r",
            }));
}

// DualPipeV with 2 ranks (4 stages) and 4 micro-batches: ranks 0 and 1 of
// DualPipe with 4 ranks and 8 micro-batches, the reverse lane read as the way
// back (v).
TEST(ScheduleOrder, DualPipeVTwoRanksFourMicrobatches) {
  EXPECT_EQ(programs(ScheduleKind::kDualPipeV, 4, 4),
            (std::vector<std::string>{
                "rank0: F0 F1 F2 F0v I0v W0v F1v [F3&B1v] [F2v&B0] B2v [F3v&B1] B3v I2 W2 I3 W3",
                "rank1: F0 F0v F1 F1v F2 B0v [F2v&B0] [F3&B1v] [F3v&B1] B2v B2 I3v I3 W3v W3",
            }));
}

// 1F1B, p = 4, m = 8: rank r warms up with 3-r forwards.
TEST(ScheduleOrder, OneFOneBFourRanksEightMicrobatches) {
  EXPECT_EQ(programs(ScheduleKind::k1F1B, 4, 8), (std::vector<std::string>{
                                                     "rank0: F0 F1 F2 F3 B0 F4 B1 F5 B2 F6 B3 F7 B4 B5 B6 B7",
                                                     "rank1: F0 F1 F2 B0 F3 B1 F4 B2 F5 B3 F6 B4 F7 B5 B6 B7",
                                                     "rank2: F0 F1 B0 F2 B1 F3 B2 F4 B3 F5 B4 F6 B5 F7 B6 B7",
                                                     "rank3: F0 B0 F1 B1 F2 B2 F3 B3 F4 B4 F5 B5 F6 B6 F7 B7",
                                                 }));
}

// ZB-H1, p = 4, m = 8: 1F1B's warm-up, (F, I) pairs, a W after each pair once
// r pairs are done, (I, W) cool-down, then the r weight gradients still owed.
TEST(ScheduleOrder, ZB1PFourRanksEightMicrobatches) {
  EXPECT_EQ(programs(ScheduleKind::kZB1P, 4, 8),
            (std::vector<std::string>{
                "rank0: F0 F1 F2 F3 I0 W0 F4 I1 W1 F5 I2 W2 F6 I3 W3 F7 I4 W4 I5 W5 I6 W6 I7 W7",
                "rank1: F0 F1 F2 I0 F3 I1 W0 F4 I2 W1 F5 I3 W2 F6 I4 W3 F7 I5 W4 I6 W5 I7 W6 W7",
                "rank2: F0 F1 I0 F2 I1 F3 I2 W0 F4 I3 W1 F5 I4 W2 F6 I5 W3 F7 I6 W4 I7 W5 W6 W7",
                "rank3: F0 I0 F1 I1 F2 I2 F3 I3 W0 F4 I4 W1 F5 I5 W2 F6 I6 W3 F7 I7 W4 W5 W6 W7",
            }));
}

// GPipe, p = 2, m = 3.
TEST(ScheduleOrder, GPipe) {
  EXPECT_EQ(programs(ScheduleKind::kGPipe, 2, 3),
            (std::vector<std::string>{"rank0: F0 F1 F2 B0 B1 B2", "rank1: F0 F1 F2 B0 B1 B2"}));
}

// Interleaved 1F1B, p = 2, v = 2, m = 4 (Megatron): warm-up (p-r-1)*2 +
// (v-1)*p forwards; virtual micro-batch k runs chunk (k mod pv) / p of
// micro-batch (k / pv) * p + k mod p; backwards visit the chunks in reverse.
TEST(ScheduleOrder, InterleavedTwoRanksTwoChunksFourMicrobatches) {
  EXPECT_EQ(programs(ScheduleKind::kInterleaved1F1B, 2, 4, 2),
            (std::vector<std::string>{
                "rank0: F0.0 F1.0 F0.1 F1.1 F2.0 B0.1 F3.0 B1.1 F2.1 B0.0 F3.1 B1.0 B2.1 B3.1 B2.0 B3.0",
                "rank1: F0.0 F1.0 F0.1 B0.1 F1.1 B1.1 F2.0 B0.0 F3.0 B1.0 F2.1 B2.1 F3.1 B3.1 B2.0 B3.0",
            }));
}

// Interleaved 1F1B with micro-batches not a multiple of the ranks: p = 2,
// v = 2, m = 5 in groups of N = 3 (Megatron-Core's PP2 N3 M5 VP2 example).
// The table of (micro-batch, chunk) is (0,0) (1,0) (2,0) (0,1) (1,1) (2,1)
// (3,0) (4,0) (3,1) (4,1); rank r warms up with (p-r-1)*2 + (v-1)*N
// forwards (5, 3), then alternates forward k+warm-up and backward k, where a
// backward takes the table's entry with the chunk reversed.
TEST(ScheduleOrder, InterleavedMicrobatchGroupsOfThree) {
  ScheduleSpec spec{ScheduleKind::kInterleaved1F1B, 2, 5, 2, {}, 3};
  const Schedule s = make_schedule(spec);
  EXPECT_EQ(format_program(s, 0),
            "rank0: F0.0 F1.0 F2.0 F0.1 F1.1 F2.1 B0.1 F3.0 B1.1 F4.0 B2.1 F3.1 B0.0 F4.1 B1.0 B2.0 B3.1 B4.1 B3.0 B4.0");
  EXPECT_EQ(format_program(s, 1),
            "rank1: F0.0 F1.0 F2.0 F0.1 B0.1 F1.1 B1.1 F2.1 B2.1 F3.0 B0.0 F4.0 B1.0 F3.1 B2.0 F4.1 B3.1 B4.1 B3.0 B4.0");
  // Without a group, the smallest valid one: 120 micro-batches on 16 stages
  // leave a remainder of 8 in groups of 16 (Megatron-Core refuses it), none in 20.
  EXPECT_EQ(interleaved_group({ScheduleKind::kInterleaved1F1B, 16, 120, 2, {}, 0}), 20);
  EXPECT_EQ(interleaved_group({ScheduleKind::kInterleaved1F1B, 4, 8, 2, {}, 0}), 4);
  const auto bad = check_spec({ScheduleKind::kInterleaved1F1B, 4, 6, 2, {}, 4});
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field, "microbatch_group");
  EXPECT_EQ(bad->message, "interleaved_1f1b needs micro-batches (6) mod the micro-batch group (4) to be 0 or at least "
                          "the stages (4), as Megatron-Core does");
}

// ZB-H2, p = 3, m = 6, written out by hand from the authors' generator
// (`get_hand_schedule(..., warmup_c=2)` in sail-sg/zero-bubble-pipeline-
// parallelism megatron/core/pipeline_parallel/efficiency.py @ f68d387): rank r
// runs 2(p-r-1) warm-up forwards (4, 2, 0), then per micro-batch j a forward
// while any is left, I_j and, from j = 2r on, one W; the 2r weight gradients
// still owed come last. Rank r holds at most 2(p-r)-1 micro-batches (5, 3, 1).
TEST(ScheduleOrder, ZBH2ThreeRanksSixMicrobatches) {
  EXPECT_EQ(programs(ScheduleKind::kZBH2, 3, 6), (std::vector<std::string>{
                                                     "rank0: F0 F1 F2 F3 F4 I0 W0 F5 I1 W1 I2 W2 I3 W3 I4 W4 I5 W5",
                                                     "rank1: F0 F1 F2 I0 F3 I1 F4 I2 W0 F5 I3 W1 I4 W2 I5 W3 W4 W5",
                                                     "rank2: F0 I0 F1 I1 F2 I2 F3 I3 F4 I4 W0 F5 I5 W1 W2 W3 W4 W5",
                                                 }));
}

struct BadSpec {
  ScheduleKind kind;
  int stages, microbatches, chunks;
  std::optional<int> layers;
  std::string field, message;
};

TEST(ScheduleConstraints, ViolationsNameTheFieldAndTheRule) {
  const BadSpec cases[] = {
      {ScheduleKind::kDualPipe, 5, 10, 1, {}, "stages", "dualpipe needs an even number of stages, got 5"},
      {ScheduleKind::kDualPipe, 4, 9, 1, {}, "microbatches", "dualpipe needs an even number of micro-batches, got 9"},
      {ScheduleKind::kDualPipe, 4, 6, 1, {}, "microbatches",
       "dualpipe needs at least twice as many micro-batches as stages (8), got 6"},
      {ScheduleKind::kDualPipeV, 8, 6, 1, {}, "microbatches",
       "dualpipev needs at least twice as many micro-batches as ranks (8), got 6"},
      {ScheduleKind::kDualPipeV, 7, 20, 1, {}, "stages",
       "dualpipev holds two stages per rank and needs an even number of stages, got 7"},
      {ScheduleKind::kInterleaved1F1B, 4, 8, 2, 30, "layers",
       "interleaved_1f1b needs layers (30) divisible by stages x chunks (8)"},
      {ScheduleKind::kInterleaved1F1B, 4, 3, 2, {}, "microbatches",
       "interleaved_1f1b needs at least as many micro-batches (3) as stages (4)"},
      {ScheduleKind::kInterleaved1F1B, 4, 8, 1, {}, "chunks", "interleaved_1f1b needs at least 2 chunks per rank"},
      {ScheduleKind::k1F1B, 4, 8, 2, {}, "chunks",
       "1f1b runs one model chunk per rank; chunks applies to interleaved_1f1b only"},
  };
  for (const auto& c : cases) {
    ScheduleSpec spec{c.kind, c.stages, c.microbatches, c.chunks, c.layers, 0};
    const auto problem = check_spec(spec);
    ASSERT_TRUE(problem.has_value()) << c.message;
    EXPECT_EQ(problem->field, c.field);
    EXPECT_EQ(problem->message, c.message);
    EXPECT_THROW(make_schedule(spec), std::invalid_argument);
  }
}

TEST(ScheduleConstraints, SmallestValidDualPipeAndDualPipeV) {
  EXPECT_FALSE(check_spec({ScheduleKind::kDualPipe, 4, 8, 1, {}, 0}).has_value());
  EXPECT_FALSE(check_spec({ScheduleKind::kDualPipeV, 8, 8, 1, {}, 0}).has_value());
  EXPECT_FALSE(check_spec({ScheduleKind::kInterleaved1F1B, 4, 8, 2, 16, 0}).has_value());
}

}  // namespace
}  // namespace v3sim::models
