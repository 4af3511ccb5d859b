# deploy/ejabberd/mod_mucstream_multicast.erl, compiled with erlc (Debian: erlang-base) against
# the installed ejabberd when both are on the build machine: ERL_LIBS as ejabberdctl sets it,
# so erlc finds gen_mod's behaviour and the xmpp headers (Debian: ejabberd, erlang-p1-xmpp).
# `cmake --install build --prefix P` puts the beam in P/lib/mucstream/ejabberd, the directory
# docs/operations.md adds to ejabberd's code path. Without erlc or ejabberd nothing is built
# (the fixture tests/e2e/fixture_ejabberd.sh compiles its own copy from the source).
find_program(MUCSTREAM_ERLC erlc)
set(MUCSTREAM_EJABBERD_ERL_LIBS "/usr/lib/x86_64-linux-gnu" CACHE PATH
    "Where ejabberd's Erlang applications are installed (ERL_LIBS for erlc)")
file(GLOB _mucstream_gen_mod "${MUCSTREAM_EJABBERD_ERL_LIBS}/ejabberd-*/ebin/gen_mod.beam")
if(MUCSTREAM_ERLC AND _mucstream_gen_mod)
  set(_ejabberd_out "${CMAKE_BINARY_DIR}/ejabberd")
  set(_ejabberd_src "${PROJECT_SOURCE_DIR}/deploy/ejabberd/mod_mucstream_multicast.erl")
  add_custom_command(OUTPUT "${_ejabberd_out}/mod_mucstream_multicast.beam"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${_ejabberd_out}"
    COMMAND ${CMAKE_COMMAND} -E env "ERL_LIBS=${MUCSTREAM_EJABBERD_ERL_LIBS}"
            ${MUCSTREAM_ERLC} +warnings_as_errors -o "${_ejabberd_out}" "${_ejabberd_src}"
    DEPENDS "${_ejabberd_src}"
    COMMENT "erlc: the ejabberd module mod_mucstream_multicast"
    VERBATIM)
  add_custom_target(ejabberd_module ALL DEPENDS "${_ejabberd_out}/mod_mucstream_multicast.beam")
  install(FILES "${_ejabberd_out}/mod_mucstream_multicast.beam" DESTINATION lib/mucstream/ejabberd)
else()
  message(STATUS "erlc or ejabberd not found: the ejabberd module (deploy/ejabberd) is not built")
endif()
