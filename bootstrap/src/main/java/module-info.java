/**
 * The boot-loader bridge: defined into the boot class loader by the agent's {@code BootstrapInjector},
 * where the advice inlined into {@code java.base} links against it. It requires nothing but
 * {@code java.base} (implicit), so any other reference fails to compile. The module descriptor is
 * for the compiler only: the agent jar leaves {@code module-info.class} out and the classes are
 * defined one by one into the boot loader's unnamed module.
 */
module io.churnagent.bootstrap {
    exports io.churnagent.bootstrap;
}
