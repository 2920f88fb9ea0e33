package io.churnagent.testapp;

import java.util.function.Supplier;

/**
 * "Application" frames for stack tests: a generic override reached through the bridge method the
 * compiler makes for it, like a Netty {@code SimpleChannelInboundHandler.channelRead0} that Netty
 * (library code) calls with an erased argument.
 */
public final class GenericHandler {

    private GenericHandler() {
    }

    /** A handler base class, like Netty's. */
    public abstract static class Base<T> {
        public abstract Object handle(T message, Supplier<Object> action);
    }

    /** The user's override: {@code handle(String, Supplier)}, and a bridge {@code handle(Object, Supplier)}. */
    public static final class Strings extends Base<String> {
        @Override
        public Object handle(String message, Supplier<Object> action) {
            return action.get(); // the handler line
        }
    }
}
