package io.churnagent.bootstrap;

/**
 * What {@link ClientBridge} knows about one thread: the current handler and how deep the thread is
 * inside client-building methods; confined to its thread (never shared), so plain fields suffice.
 */
final class RequestState {

    /** The innermost handler the thread is serving, or null. */
    HandlerFrame handler;

    /** How many client-building methods are on the stack now; only the outermost one is reported. */
    int clientDepth;

    /**
     * The pool a nested construction named (a Reactor Netty connection provider inside a WebClient's
     * build), for the outermost one to report as its own when it names none; cleared when it ends.
     */
    Object nestedPool;
}
