package io.churnagent.instrument;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.agent.builder.ResettableClassFileTransformer;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;

/**
 * Installs the agent's Byte Buddy transformations, retransforming the JDK classes that are already
 * loaded; call after {@link BootstrapInjector#inject}. Thread-safe (it keeps no state of its own).
 *
 * <p>Matchers are plain class names, so the check every class load pays is a string comparison.
 * Byte Buddy's Nexus is not used ({@code InitializationStrategy.NoOp}; advice needs no initializer),
 * which keeps JDK 24+ from printing {@code sun.misc.Unsafe} deprecation lines.
 */
public final class InstrumentationInstaller {

    private InstrumentationInstaller() {
    }

    /**
     * What the installation did: the transformer (to reset on detach), the classes woven, and the
     * separate transformer of the {@code handlers} entries, which a re-attach can replace.
     */
    public static final class Installed {
        private final ResettableClassFileTransformer transformer;
        private final List<String> transformed;
        private final Consumer<String> onError;
        private ResettableClassFileTransformer handlers; // null: no handlers= entries
        private List<String> handlerEntries = List.of();

        Installed(ResettableClassFileTransformer transformer, List<String> transformed, Consumer<String> onError) {
            this.transformer = transformer;
            this.transformed = transformed;
            this.onError = onError;
        }

        public ResettableClassFileTransformer transformer() {
            return transformer;
        }

        /** Class names woven so far (grows as matching classes load later). */
        public List<String> transformed() {
            return transformed;
        }

        /** The {@code Class#method} entries currently instrumented as request handlers. */
        public synchronized List<String> handlerEntries() {
            return handlerEntries;
        }

        /**
         * Makes {@code entries} the user-listed handlers: installs a transformer for them (retransforming
         * classes already loaded), then resets the previous one, so entries no longer listed get their
         * original code back. Returns false if the entries were already the current ones.
         */
        public synchronized boolean replaceHandlers(Instrumentation inst, List<String> entries) {
            if (entries.equals(handlerEntries)) {
                return false;
            }
            ResettableClassFileTransformer previous = handlers;
            handlers = entries.isEmpty() ? null
                    : HandlerInstrumentation.applyUser(configured(transformed, onError), entries).installOn(inst);
            handlerEntries = List.copyOf(entries);
            if (previous != null) {
                previous.reset(inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
            }
            return true;
        }

        /** Removes the handlers' transformer (detach); true if there was none or it was reset. */
        public synchronized boolean resetHandlers(Instrumentation inst) {
            ResettableClassFileTransformer previous = handlers;
            handlers = null;
            handlerEntries = List.of();
            return previous == null || previous.reset(inst, AgentBuilder.RedefinitionStrategy.RETRANSFORMATION);
        }
    }

    /**
     * Installs the transformations on {@code inst}; {@code onError} gets one sentence for each class
     * that cannot be woven, now or when it loads later.
     */
    public static Installed install(Instrumentation inst, Consumer<String> onError) {
        return install(inst, List.of(), onError);
    }

    /**
     * Installs the transformations on {@code inst}, with {@code userHandlers} ({@code Class#method}
     * entries) as extra request entry points; {@code onError} gets one sentence for each class that
     * cannot be woven, now or when it loads later.
     */
    public static Installed install(Instrumentation inst, List<String> userHandlers, Consumer<String> onError) {
        List<String> transformed = new CopyOnWriteArrayList<>();
        // Built before installing: reading the advice classes loads the JDK types they mention
        // (java.net.Socket); doing that inside a transformation of Socket is a ClassCircularityError.
        AsmVisitorWrapper socket = SocketInstrumentation.visitor();
        AsmVisitorWrapper channel = SocketChannelInstrumentation.visitor();
        AsmVisitorWrapper serverBind = ServerSocketBindInstrumentation.serverSocketVisitor();
        AsmVisitorWrapper channelBind = ServerSocketBindInstrumentation.channelVisitor();
        AgentBuilder builder = configured(transformed, onError)
                .type(SocketInstrumentation.type())
                .transform((b, type, loader, module, domain) -> b.visit(socket))
                .type(SocketChannelInstrumentation.type())
                .transform((b, type, loader, module, domain) -> b.visit(channel))
                .type(ServerSocketBindInstrumentation.serverSocketType())
                .transform((b, type, loader, module, domain) -> b.visit(serverBind))
                .type(ServerSocketBindInstrumentation.channelType())
                .transform((b, type, loader, module, domain) -> b.visit(channelBind));
        builder = ClientConstructionInstrumentation.apply(builder);
        builder = HandlerInstrumentation.apply(builder, List.of());
        builder = NettyChannelInstrumentation.apply(builder);
        builder = NettyHandlerInstrumentation.apply(builder);
        ResettableClassFileTransformer transformer = builder.installOn(inst);
        Installed installed = new Installed(transformer, transformed, onError);
        // the handlers= entries get a transformer of their own, so that a re-attach can replace them
        installed.replaceHandlers(inst, userHandlers);
        return installed;
    }

    /** An agent builder with the agent's settings: retransformation, no Nexus, the listener, agent classes ignored. */
    private static AgentBuilder configured(List<String> transformed, Consumer<String> onError) {
        return newAgentBuilder()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                .with(ApplicationClassDescriptions.INSTANCE) // no reflection on loaded application classes
                .with(new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module,
                                                 boolean loaded, DynamicType dynamicType) {
                        transformed.add(type.getName());
                    }

                    @Override
                    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded,
                                        Throwable throwable) {
                        onError.accept("cannot instrument " + typeName + ": " + throwable);
                    }
                })
                .ignore(agentClasses());
    }

    /**
     * The agent's own classes, never woven. Not {@code io.churnagent.} as a whole: the demo
     * application and the integration-test programs live under it and are applications.
     */
    private static ElementMatcher.Junction<TypeDescription> agentClasses() {
        ElementMatcher.Junction<TypeDescription> m = nameStartsWith("io.churnagent.shaded.");
        for (String p : new String[] {"bootstrap", "churn", "instrument", "report", "config", "kernel", "cli"}) {
            m = m.or(nameStartsWith("io.churnagent." + p + "."));
        }
        return m.or(named("io.churnagent.AgentMain")).or(nameStartsWith("io.churnagent.AgentRuntime"))
                .or(nameStartsWith("io.churnagent.ActiveAgent"));
    }

    /**
     * {@code AgentBuilder.Default}'s constructor prepares Byte Buddy's Nexus, whose set-up touches
     * {@code sun.misc.Unsafe} (four deprecation lines on JDK 24+) unless Byte Buddy's "nexus disabled"
     * property is true. The property name is relocated with Byte Buddy, so it is ours alone; it is set
     * only while the builder is made and then restored, so the application never sees it.
     */
    private static AgentBuilder newAgentBuilder() {
        String property = NEXUS_DISABLED_PROPERTY;
        String before = System.getProperty(property);
        System.setProperty(property, "true");
        try {
            return new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED));
        } finally {
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
    }

    /** Byte Buddy's {@code net.bytebuddy.nexus.disabled}, as the shade plugin relocates it. */
    static final String NEXUS_DISABLED_PROPERTY = ByteBuddy.class.getPackage().getName() + ".nexus.disabled";
}
