# hypercall_forbid_dependencies(TARGET PATTERN...): fails the configure step
# when TARGET links, directly or through any target it links, a library whose
# name matches one of the regular expressions. How a layer that must stay
# free of protobuf and gRPC (the broker core) is kept so: a dependency added
# by mistake stops the build before anything compiles.
function(hypercall_forbid_dependencies target)
  set(seen)
  set(queue ${target})
  while(queue)
    list(POP_FRONT queue current)
    if(current IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${current})
    if(NOT TARGET ${current})
      continue()
    endif()
    get_target_property(direct ${current} LINK_LIBRARIES)
    get_target_property(usage ${current} INTERFACE_LINK_LIBRARIES)
    foreach(dependency IN LISTS direct usage)
      if(NOT dependency OR dependency MATCHES "-NOTFOUND$")
        continue()
      endif()
      # $<LINK_ONLY:x> and the like still link x.
      string(REGEX REPLACE "^\\$<[A-Z_]+:(.*)>$" "\\1" dependency "${dependency}")
      foreach(pattern IN LISTS ARGN)
        if(dependency MATCHES "${pattern}")
          message(FATAL_ERROR "${target} must not depend on ${dependency} "
            "(reached through ${current}): see the layers in daemon/CMakeLists.txt")
        endif()
      endforeach()
      list(APPEND queue ${dependency})
    endforeach()
  endwhile()
endfunction()
