package io.churnagent.instrument;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.JavaModule;

/**
 * How the installer describes an already loaded class it considers: JDK classes (boot and platform
 * loaders) by reflection, as Byte Buddy does by default, application and library classes from their
 * class files (the agent's own classes by reflection too: they are never woven); stateless.
 *
 * <p>Reflection on a loaded class ({@code getDeclaredMethods}, which the Netty handler matcher and
 * method matchers need) loads every type in its signatures, inside the transformer, where Byte
 * Buddy's circularity lock lets those loads through unwoven. With the background start the
 * application's main class is loaded during the install: reflecting on it loaded Netty's
 * {@code Bootstrap}, which then escaped its hook for the whole run. Reading class files for every
 * loaded class instead (Byte Buddy's {@code POOL_FIRST}) doubled the install time on 2 cores,
 * almost all of it for JDK classes, whose signatures name only JDK types.
 */
enum ApplicationClassDescriptions implements AgentBuilder.DescriptionStrategy {
    INSTANCE;

    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

    /** The agent's own classes (hundreds, mostly shaded Byte Buddy): never woven, not worth parsing. */
    private static boolean isAgent(String name) {
        if (!name.startsWith("io.churnagent.")) {
            return false;
        }
        for (String p : AGENT_PACKAGES) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    private static final String[] AGENT_PACKAGES = {
        "io.churnagent.shaded.", "io.churnagent.bootstrap.", "io.churnagent.churn.", "io.churnagent.instrument.",
        "io.churnagent.report.", "io.churnagent.config.", "io.churnagent.kernel.", "io.churnagent.cli.",
    };

    @Override
    public boolean isLoadedFirst() {
        return Default.HYBRID.isLoadedFirst();
    }

    @Override
    public TypeDescription apply(String name, Class<?> type, TypePool typePool,
                                 AgentBuilder.CircularityLock circularityLock, ClassLoader classLoader,
                                 JavaModule module) {
        Default strategy = classLoader == null || classLoader == PLATFORM || isAgent(name)
                ? Default.HYBRID : Default.POOL_FIRST;
        return strategy.apply(name, type, typePool, circularityLock, classLoader, module);
    }
}
