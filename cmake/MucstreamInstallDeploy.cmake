# `cmake --install build --prefix P` also lays out what deploy/ ships for running the roles:
# the systemd units in P/lib/systemd/system (where systemd looks for /usr/local and /usr),
# each rewritten to run P/bin/mucstreamd and to point at P's documentation, and the settings
# examples in P/share/doc/mucstream/examples. The rewrite happens at install time, so --prefix
# given then (not only CMAKE_INSTALL_PREFIX at configure time) is what the units run.
file(GLOB _mucstream_units "${PROJECT_SOURCE_DIR}/deploy/systemd/*.service")
install(FILES "${PROJECT_SOURCE_DIR}/deploy/mucstream.example.toml" "${PROJECT_SOURCE_DIR}/deploy/mucstream.example.env"
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(CODE "
  set(_units_dir \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\")
  file(MAKE_DIRECTORY \"\${_units_dir}\")
  foreach(_unit ${_mucstream_units})
    file(READ \"\${_unit}\" _text)
    string(REPLACE \"/usr/local/bin/mucstreamd\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/mucstreamd\" _text \"\${_text}\")
    string(REPLACE \"/usr/local/share/doc/mucstream\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DOCDIR}\" _text \"\${_text}\")
    get_filename_component(_name \"\${_unit}\" NAME)
    message(STATUS \"Installing: \${_units_dir}/\${_name}\")
    file(WRITE \"\${_units_dir}/\${_name}\" \"\${_text}\")
    list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${_units_dir}/\${_name}\")
  endforeach()
")
