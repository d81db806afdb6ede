# ctest script: a probe run where no GPU is visible must exit with code 3, say
# so in exactly one line on stderr, and write no output file. Checking the exit
# code itself (not just "it failed") keeps a crash from passing.
#   cmake -DPROGRAM=<probe> -DNAME=<program name> -DOUT=<file> -P no_gpu_test.cmake
# The test sets CUDA_VISIBLE_DEVICES="" (an empty value hides every GPU).
if(NOT DEFINED ENV{CUDA_VISIBLE_DEVICES} OR NOT "$ENV{CUDA_VISIBLE_DEVICES}" STREQUAL "")
  message(FATAL_ERROR "run this with CUDA_VISIBLE_DEVICES set to the empty string")
endif()
file(REMOVE ${OUT})
execute_process(COMMAND ${PROGRAM} --out ${OUT} --quick
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)

set(expected "${NAME}: no CUDA GPU available (cudaGetDeviceCount: ")
set(advice "); run the probes on a machine with an NVIDIA GPU\n")
string(FIND "${err}" "${expected}" at_start)
string(FIND "${err}" "${advice}" at_advice)
string(REGEX MATCHALL "\n" newlines "${err}")
list(LENGTH newlines lines)

if(NOT rc STREQUAL "3")
  message(FATAL_ERROR "expected exit code 3, got '${rc}'\nstdout: ${out}\nstderr: ${err}")
endif()
if(NOT at_start EQUAL 0 OR at_advice EQUAL -1 OR NOT lines EQUAL 1)
  message(FATAL_ERROR "expected one stderr line '${expected}<error>${advice}', got:\n${err}")
endif()
if(NOT out STREQUAL "")
  message(FATAL_ERROR "expected nothing on stdout, got:\n${out}")
endif()
if(EXISTS ${OUT})
  message(FATAL_ERROR "the probe wrote ${OUT} although it had no GPU")
endif()
message(STATUS "ok: ${err}")
