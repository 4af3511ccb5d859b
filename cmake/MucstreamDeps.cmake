# Finds every third-party dependency through pkg-config (or a header search where the
# Debian package ships no .pc file) and stops configuration with the Debian package to
# install when one is missing.
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install -y pkg-config")
endif()

function(mucstream_require_pkg target pcname debian_package)
  pkg_check_modules(${target} QUIET IMPORTED_TARGET GLOBAL ${pcname})
  if(NOT ${target}_FOUND)
    message(FATAL_ERROR "Missing dependency '${pcname}': apt-get install -y ${debian_package}")
  endif()
  add_library(dep::${target} ALIAS PkgConfig::${target})
endfunction()

function(mucstream_require_header target header debian_package)
  find_path(${target}_INCLUDE_DIR ${header})
  if(NOT ${target}_INCLUDE_DIR)
    message(FATAL_ERROR "Missing dependency '${header}': apt-get install -y ${debian_package}")
  endif()
  add_library(dep_${target} INTERFACE)
  target_include_directories(dep_${target} SYSTEM INTERFACE ${${target}_INCLUDE_DIR})
  add_library(dep::${target} ALIAS dep_${target})
endfunction()

mucstream_require_pkg(idn libidn libidn-dev)
mucstream_require_pkg(gloox gloox libgloox-dev)
mucstream_require_pkg(rdkafka rdkafka librdkafka-dev)
mucstream_require_pkg(rdkafkacpp rdkafka++ librdkafka-dev)
mucstream_require_pkg(pqxx libpqxx libpqxx-dev)
mucstream_require_pkg(fmt fmt libfmt-dev)
mucstream_require_header(rapidjson rapidjson/document.h rapidjson-dev)
mucstream_require_header(doctest doctest/doctest.h doctest-dev)
