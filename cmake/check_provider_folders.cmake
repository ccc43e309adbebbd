# Fails when a built-in provider is more than its folder and one line: each
# folder of daemon/providers/ that calls hypercall_builtin_provider() must
# have its README.md, include nothing of another provider's folder, and be
# named by the product's code (daemon/, proto/, clients/, vmm-shim/, the
# build files) outside it only in the one add_subdirectory() line of
# daemon/providers/CMakeLists.txt (comments aside). Run by ctest as
# provider_folders:
#   cmake -DSOURCE_DIR=<source> [-DEXTRA_FILES=a;b] -P check_provider_folders.cmake
# EXTRA_FILES are scanned as if they were outside every folder (the
# provider_folders_catches_a_name test gives it a file that names one).
cmake_minimum_required(VERSION 3.25)
set(providers_dir ${SOURCE_DIR}/daemon/providers)
set(problems "")

file(GLOB folders RELATIVE ${providers_dir} ${providers_dir}/*)
set(names "")
foreach(folder IN LISTS folders)
  if(EXISTS ${providers_dir}/${folder}/CMakeLists.txt)
    file(READ ${providers_dir}/${folder}/CMakeLists.txt lists)
    if(lists MATCHES "hypercall_builtin_provider\\(${folder}[ \n]")
      list(APPEND names ${folder})
      if(NOT EXISTS ${providers_dir}/${folder}/README.md)
        string(APPEND problems "  daemon/providers/${folder}/ has no README.md\n")
      endif()
    endif()
  endif()
endforeach()
if(NOT names)
  message(FATAL_ERROR "no built-in provider folders found under ${providers_dir}")
endif()

file(GLOB_RECURSE code RELATIVE ${SOURCE_DIR}
  ${SOURCE_DIR}/daemon/*.cc ${SOURCE_DIR}/daemon/*.h ${SOURCE_DIR}/daemon/*.proto
  ${SOURCE_DIR}/daemon/*CMakeLists.txt
  ${SOURCE_DIR}/proto/*.cc ${SOURCE_DIR}/proto/*.h ${SOURCE_DIR}/proto/*.proto
  ${SOURCE_DIR}/proto/*CMakeLists.txt
  ${SOURCE_DIR}/clients/*.cc ${SOURCE_DIR}/clients/*.h ${SOURCE_DIR}/clients/*.py
  ${SOURCE_DIR}/clients/*CMakeLists.txt
  ${SOURCE_DIR}/vmm-shim/*.cc ${SOURCE_DIR}/vmm-shim/*.h ${SOURCE_DIR}/vmm-shim/*CMakeLists.txt
  ${SOURCE_DIR}/cmake/*.cmake)
list(APPEND code CMakeLists.txt ${EXTRA_FILES})

foreach(file IN LISTS code)
  if(IS_ABSOLUTE ${file})
    set(path ${file})
  else()
    set(path ${SOURCE_DIR}/${file})
  endif()
  file(STRINGS ${path} lines)
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    if(line MATCHES "^[ \t]*(//|#[^i])")
      continue()
    endif()
    foreach(name IN LISTS names)
      if(file MATCHES "^daemon/providers/${name}/")
        continue()
      endif()
      if(file STREQUAL "daemon/providers/CMakeLists.txt"
         AND line MATCHES "^add_subdirectory\\(${name}\\)$")
        continue()
      endif()
      if(line MATCHES "\"${name}\"|providers/${name}/|_provider_${name}([^a-z0-9_]|$)|\\(${name}\\)")
        string(APPEND problems "  ${file}:${number} names provider ${name}: ${line}\n")
      endif()
    endforeach()
  endforeach()
endforeach()

if(problems)
  message(FATAL_ERROR "a provider is named outside its folder:\n${problems}")
endif()
list(LENGTH names count)
message(STATUS "${count} provider folders, each named only by its add_subdirectory line: ${names}")
