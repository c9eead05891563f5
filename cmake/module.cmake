# topoembed_add_module(<name> [PUBLIC <deps>...] [PRIVATE <deps>...] [PRECOMPILE_TORCH])
#
# Defines the library of one module the way DESIGN.md lays them out: the sources are every *.cpp
# of the calling directory (src/<name>/), the target is topoembed_<name> with the alias
# topoembed::<name> (exported as topoembed::<name> too), public headers in include/, private
# detail/ headers beside the sources, the project's warnings, and the install rule of the package.
# PRECOMPILE_TORCH parses <torch/torch.h> once per module instead of once per translation unit.
function(topoembed_add_module name)
  cmake_parse_arguments(ARG "PRECOMPILE_TORCH" "" "PUBLIC;PRIVATE" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "topoembed_add_module(${name}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  set(target topoembed_${name})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_library(${target} ${sources})
  add_library(topoembed::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME ${target})
  target_include_directories(${target}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC} PRIVATE ${ARG_PRIVATE} $<BUILD_INTERFACE:topoembed_warnings>)
  target_compile_features(${target} PUBLIC cxx_std_17)
  if(ARG_PRECOMPILE_TORCH)
    target_precompile_headers(${target} PRIVATE <torch/torch.h>)
  endif()
  install(TARGETS ${target} EXPORT topoembedTargets)
endfunction()
