# Writes ${OUT}: every sql/migrations/NNNN_name.sql as a raw string literal, in name order,
# so mucstreamd carries its migrations and needs no files at run time.
file(GLOB files "${DIR}/[0-9][0-9][0-9][0-9]_*.sql")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  get_filename_component(name "${f}" NAME_WE)
  file(READ "${f}" sql)
  string(APPEND body "    {\"${name}\", R\"mucstream_sql(${sql})mucstream_sql\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from sql/migrations by sql/embed_migrations.cmake. Do not edit.\n#include \"sql/migrate.hpp\"\nnamespace mucstream::sql {\nconst std::vector<Migration>& migrations() {\n  static const std::vector<Migration> all = {\n${body}  };\n  return all;\n}\n}  // namespace mucstream::sql\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
