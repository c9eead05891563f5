# Installation and the package config used by find_package(topoembed).
include(CMakePackageConfigHelpers)
install(DIRECTORY include/topoembed DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT topoembedTargets NAMESPACE topoembed:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/topoembed)
configure_package_config_file(cmake/topoembedConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/topoembedConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/topoembed)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/topoembedConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/topoembedConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/topoembedConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/topoembed)
