# Checked locking: under clang, the Abseil thread-safety annotations
# (ABSL_GUARDED_BY, ABSL_EXCLUSIVE_LOCKS_REQUIRED, ...) are checked at
# compile time, and a violation fails the build. gcc ignores them.
#
# The test thread_safety_analysis_on builds a snippet that reads a guarded
# member without its lock and passes only when the analysis refuses it: proof that the
# analysis is on in this build.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  return()
endif()

add_compile_options(-Wthread-safety -Werror=thread-safety)

add_library(thread_safety_violation OBJECT EXCLUDE_FROM_ALL
  ${CMAKE_CURRENT_LIST_DIR}/thread_safety_violation.cc)
target_link_libraries(thread_safety_violation PRIVATE absl::synchronization)

enable_testing()
add_test(NAME thread_safety_analysis_on
  COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target thread_safety_violation)
# Passes only on the analysis's own complaint, not on any other build error.
set_tests_properties(thread_safety_analysis_on PROPERTIES
  PASS_REGULAR_EXPRESSION "requires holding mutex 'mu_'" LABELS unit)
