# Installs the desktop integration and describes the Debian package: cpack -G DEB in the build
# folder writes graft_<version>_amd64.deb (tests/package checks it).
include(GNUInstallDirs)

if(GRAFT_BUILD_GUI)
    set(GRAFT_LINUX_DIR ${PROJECT_SOURCE_DIR}/installer/linux)
    configure_file(${GRAFT_LINUX_DIR}/org.graft.Graft.metainfo.xml
                   ${PROJECT_BINARY_DIR}/installer/org.graft.Graft.metainfo.xml @ONLY)
    install(FILES ${GRAFT_LINUX_DIR}/org.graft.Graft.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    install(FILES ${PROJECT_BINARY_DIR}/installer/org.graft.Graft.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
    install(FILES ${GRAFT_LINUX_DIR}/org.graft.Graft.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
    install(FILES ${GRAFT_LINUX_DIR}/org.graft.Graft.mime.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages
            RENAME org.graft.Graft.xml)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME graft)
set(CPACK_PACKAGE_VENDOR Graft)
set(CPACK_PACKAGE_CONTACT "Graft developers <graft@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "transfer-learning workbench for small image datasets")
set(CPACK_PACKAGE_DESCRIPTION
    "Graft fine-tunes pretrained image classifiers on small labelled datasets and tells whether transfer helped: paired transfer-vs-scratch trials over several seeds with confidence intervals, label-efficiency curves and negative-transfer alarms. It contains the desktop application (graft) and the command line (graft-cli).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
# dpkg-shlibdeps declares every shared library the binaries link. OpenBLAS is loaded through
# libblas's alternatives, not linked, so it is named here: without it Linear layers run ~30x slower.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread")
# OpenCV's handwritten digits, which Help > Open Demo Project and graft-cli demo are made from; and
# the icon theme the window falls back on where the desktop's theme lacks an icon.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "opencv-doc, adwaita-icon-theme")
include(CPack)
