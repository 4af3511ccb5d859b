# The version the programs print with --version and the API reports as
# mucstream_build_info{version="…"}: project()'s version, followed by `git describe` of the
# checkout when the sources are one (read when CMake configures, so a rebuild without a new
# configure keeps the old description).
set(MUCSTREAM_VERSION "${PROJECT_VERSION}")
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND "${GIT_EXECUTABLE}" describe --tags --always --dirty
                  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
                  RESULT_VARIABLE mucstream_git_rc OUTPUT_VARIABLE mucstream_git_describe
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(mucstream_git_rc EQUAL 0 AND NOT mucstream_git_describe STREQUAL "")
    set(MUCSTREAM_VERSION "${PROJECT_VERSION}+${mucstream_git_describe}")
  endif()
endif()
message(STATUS "mucstream version ${MUCSTREAM_VERSION}")
