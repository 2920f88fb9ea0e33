package io.churnagent.instrument;

import io.churnagent.bootstrap.ClientBridge;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.bytecode.StackManipulation;
import net.bytebuddy.implementation.bytecode.member.MethodInvocation;
import net.bytebuddy.implementation.bytecode.member.MethodVariableAccess;
import net.bytebuddy.matcher.ElementMatcher;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

import static net.bytebuddy.matcher.ElementMatchers.declaresMethod;
import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isBridge;
import static net.bytebuddy.matcher.ElementMatchers.isInterface;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Marks a Netty server's inbound handlers as request handlers: an application class's
 * {@code channelRead(ChannelHandlerContext, Object)} or {@code channelRead0} (the method a
 * {@code SimpleChannelInboundHandler} subclass implements), while it serves a server child channel
 * (one whose {@code ctx.channel().parent()} is not null: accepted by a server channel); stateless.
 *
 * <p>Cheap where Netty is absent: class loaders that cannot see {@code ChannelInboundHandler} are
 * skipped with one cached lookup per loader. Where it is present, a class is parsed only as far as
 * its own method names before its hierarchy is resolved. Netty's own handlers ({@code io.netty.*},
 * codecs and aggregators) are not woven: the user's handler is the one to name. Handlers of a
 * pipeline run nested on one thread for one message; only the outermost woven one opens a handler
 * frame. Client channels' handlers (no parent) read responses, not requests, and are left alone.
 * The handler a warning names is the outermost application frame of the captured stack (the user's
 * handler line); the frame opened here is the fallback label.
 */
public final class NettyHandlerInstrumentation {

    static final String INBOUND_HANDLER = "io.netty.channel.ChannelInboundHandler";
    static final String CONTEXT = "io.netty.channel.ChannelHandlerContext";

    private static final TypeDescription CONTEXT_TYPE = NettyTypes.anInterface(CONTEXT);
    private static final TypeDescription CHANNEL_TYPE = NettyTypes.anInterface("io.netty.channel.Channel");

    private NettyHandlerInstrumentation() {
    }

    static ElementMatcher.Junction<MethodDescription> readMethods() {
        return isMethod().and(named("channelRead").or(named("channelRead0"))).and(takesArguments(2))
                .and(takesArgument(0, named(CONTEXT)));
    }

    static ElementMatcher.Junction<TypeDescription> type() {
        return not(nameStartsWith("io.netty.")).and(not(isInterface()))
                .and(declaresMethod(readMethods().and(not(isAbstract()))))
                .and(hasSuperType(named(INBOUND_HANDLER)));
    }

    /** Adds the handler weaving; the advice is made when the first handler class loads. */
    static void addTo(Weavings weavings) {
        weavings.hierarchy(new Handlers());
    }

    /** The application's inbound handlers, by their hierarchy. Thread-safe. */
    static final class Handlers implements Weavings.ByHierarchy {

        private final SeesNetty seesNetty = new SeesNetty();
        private final ElementMatcher<TypeDescription> type = type();
        private final BuiltOnFirstUse read = new BuiltOnFirstUse(NettyHandlerInstrumentation::readVisitor);

        @Override
        public boolean mayMatch(String name, ClassLoader loader) {
            return !name.startsWith("io.netty.") && seesNetty.matches(loader);
        }

        @Override
        public boolean matches(TypeDescription description) {
            return type.matches(description);
        }

        @Override
        public boolean mayMatch(Class<?> loaded) {
            return !loaded.isInterface() && !loaded.getName().startsWith("io.netty.")
                    && seesNetty.matches(loaded.getClassLoader()) && implementsInboundHandler(loaded);
        }

        @Override
        public AsmVisitorWrapper visitor() {
            return read.get();
        }

        /** By the names of its supertypes, which are loaded with it: nothing is loaded or initialized here. */
        private static boolean implementsInboundHandler(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                for (Class<?> i : c.getInterfaces()) {
                    if (i.getName().equals(INBOUND_HANDLER) || implementsInboundHandler(i)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    static AsmVisitorWrapper readVisitor() {
        // ctx.channel().parent(), against the method's first argument
        StackManipulation parent = new StackManipulation.Compound(MethodVariableAccess.REFERENCE.loadFrom(1),
                MethodInvocation.invoke(NettyTypes.getter(CONTEXT_TYPE, "channel", CHANNEL_TYPE)),
                MethodInvocation.invoke(NettyTypes.getter(CHANNEL_TYPE, "parent", CHANNEL_TYPE)));
        return new AsmVisitorWrapper.ForDeclaredMethods().method(
                readMethods().and(not(isAbstract())).and(not(isBridge())),
                Advice.withCustomMapping().bind(ParentChannel.class, parent, Object.class).to(ReadAdvice.class));
    }

    /** {@code ctx.channel().parent()} of the instrumented read method. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    @interface ParentChannel {
    }

    /** Around {@code channelRead}/{@code channelRead0} of an application handler. */
    public static final class ReadAdvice {

        private ReadAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object onEnter(@ParentChannel Object parent, @Advice.Origin("#t") String type,
                              @Advice.Origin("#m") String method) {
            return parent == null ? null : ClientBridge.outermostHandlerEnter(type, method);
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void onExit(@Advice.Enter Object token) {
            ClientBridge.handlerExit(token);
        }
    }

    /**
     * Whether a class loader can see Netty's {@code ChannelInboundHandler} (never the boot loader);
     * remembered per loader, weakly. Thread-safe.
     */
    static final class SeesNetty {

        private static final String RESOURCE = INBOUND_HANDLER.replace('.', '/') + ".class";
        private final Map<ClassLoader, Boolean> seen = Collections.synchronizedMap(new WeakHashMap<>());

        boolean matches(ClassLoader loader) {
            if (loader == null) {
                return false;
            }
            Boolean known = seen.get(loader);
            if (known != null) {
                return known;
            }
            boolean sees;
            try {
                sees = loader.getResource(RESOURCE) != null;
            } catch (RuntimeException e) {
                sees = false;
            }
            seen.put(loader, sees);
            return sees;
        }
    }
}
