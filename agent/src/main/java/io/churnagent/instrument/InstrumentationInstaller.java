package io.churnagent.instrument;

import net.bytebuddy.asm.AsmVisitorWrapper;

import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Installs the agent's weavings, retransforming the JDK classes that are already loaded; call after
 * {@link BootstrapInjector#inject}. Thread-safe (it keeps no state of its own).
 *
 * <p>Classes are chosen by their names (a map look-up per class load), the Netty handlers by their
 * hierarchy; see {@link WeavingTransformer}. Advice needs no initializer, so Byte Buddy's Nexus is
 * never involved (on JDK 24+ it would print {@code sun.misc.Unsafe} deprecation lines).
 */
public final class InstrumentationInstaller {

    private InstrumentationInstaller() {
    }

    /**
     * What the installation did: the transformer (to reset on detach), the classes woven, and the
     * separate transformer of the {@code handlers} entries, which a re-attach can replace.
     */
    public static final class Installed {
        private final WeavingTransformer transformer;
        private final List<String> transformed;
        private final WeavingTransformer.Listener listener;
        private WeavingTransformer handlers; // null: no handlers= entries
        private List<String> handlerEntries = List.of();

        Installed(WeavingTransformer transformer, List<String> transformed, WeavingTransformer.Listener listener) {
            this.transformer = transformer;
            this.transformed = transformed;
            this.listener = listener;
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
            WeavingTransformer previous = handlers;
            if (entries.isEmpty()) {
                handlers = null;
            } else {
                Weavings weavings = new Weavings();
                HandlerInstrumentation.addUserTo(weavings, entries);
                handlers = new WeavingTransformer(weavings, listener);
                handlers.install(inst);
            }
            handlerEntries = List.copyOf(entries);
            if (previous != null) {
                previous.reset(inst);
            }
            return true;
        }

        /** Removes the handlers' transformer (detach); true if there was none or it was reset. */
        public synchronized boolean resetHandlers(Instrumentation inst) {
            WeavingTransformer previous = handlers;
            handlers = null;
            handlerEntries = List.of();
            return previous == null || previous.reset(inst);
        }

        /**
         * Removes every transformer of the agent and gives the woven classes their original code
         * back (detach); false if a class could not be restored.
         */
        public boolean reset(Instrumentation inst) {
            boolean handlersReset = resetHandlers(inst);
            return transformer.reset(inst) & handlersReset;
        }
    }

    /**
     * Installs the weavings on {@code inst}; {@code onError} gets one sentence for each class that
     * cannot be woven, now or when it loads later.
     */
    public static Installed install(Instrumentation inst, Consumer<String> onError) {
        return install(inst, List.of(), onError);
    }

    /**
     * Installs the weavings on {@code inst}, with {@code userHandlers} ({@code Class#method} entries)
     * as extra request entry points; {@code onError} gets one sentence for each class that cannot be
     * woven, now or when it loads later.
     */
    public static Installed install(Instrumentation inst, List<String> userHandlers, Consumer<String> onError) {
        List<String> transformed = new CopyOnWriteArrayList<>();
        WeavingTransformer.Listener listener = new WeavingTransformer.Listener() {
            @Override
            public void woven(String name) {
                transformed.add(name);
            }

            @Override
            public void failed(String name, Throwable cause) {
                onError.accept("cannot instrument " + name + ": " + cause);
            }
        };
        // Made before installing: reading these advice classes loads the JDK types they mention
        // (java.net.Socket); doing that inside a transformation of Socket is a ClassCircularityError.
        // The other weavings' advice mentions none of the classes woven and is made on first use.
        AsmVisitorWrapper socket = SocketInstrumentation.visitor();
        AsmVisitorWrapper channel = SocketChannelInstrumentation.visitor();
        AsmVisitorWrapper serverBind = ServerSocketBindInstrumentation.serverSocketVisitor();
        AsmVisitorWrapper channelBind = ServerSocketBindInstrumentation.channelVisitor();
        Weavings weavings = new Weavings()
                .name(SocketInstrumentation.TYPE, () -> socket)
                .name(SocketChannelInstrumentation.TYPE, () -> channel)
                .name(ServerSocketBindInstrumentation.SERVER_SOCKET_TYPE, () -> serverBind)
                .name(ServerSocketBindInstrumentation.CHANNEL_TYPE, () -> channelBind);
        ClientConstructionInstrumentation.addTo(weavings);
        ResourceFailureInstrumentation.addTo(weavings);
        HandlerInstrumentation.addTo(weavings);
        NettyChannelInstrumentation.addTo(weavings);
        NettyHandlerInstrumentation.addTo(weavings);
        WeavingTransformer transformer = new WeavingTransformer(weavings, listener);
        transformer.install(inst);
        Installed installed = new Installed(transformer, transformed, listener);
        // the handlers= entries get a transformer of their own, so that a re-attach can replace them
        installed.replaceHandlers(inst, userHandlers);
        return installed;
    }
}
