# Cross-compiling for arm64 Linux (aarch64-linux-gnu) on a Debian host with
# multiarch: the arm64 libraries come from ":arm64" packages installed next to
# the host's (deploy/packages-arm64.txt), so the "sysroot" is / itself and
# CMAKE_LIBRARY_ARCHITECTURE picks /usr/lib/aarch64-linux-gnu. Code generators
# (protoc, grpc_cpp_plugin) are the host's.
#
#   cmake -S . -B build-arm64 -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Programs run on the host; libraries, headers and CMake packages must be the
# target's. Multiarch keeps both under /, so no re-rooting: the library
# architecture above is what keeps find_library() and find_package() on the
# arm64 side.
set(CMAKE_FIND_ROOT_PATH /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config (libsystemd): the arm64 .pc files only.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
