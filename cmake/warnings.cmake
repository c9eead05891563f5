# Warnings for topoembed's own targets only (link with topoembed_warnings).
add_library(topoembed_warnings INTERFACE)
target_compile_options(topoembed_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                 -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference>)
