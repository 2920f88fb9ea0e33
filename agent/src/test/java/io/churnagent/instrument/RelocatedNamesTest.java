package io.churnagent.instrument;

import net.bytebuddy.asm.AsmVisitorWrapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Relocated copies are found by their suffix after a dot; nothing else is. */
class RelocatedNamesTest {

    private static final Weavings.Weave CHANNEL = type -> AsmVisitorWrapper.NoOp.INSTANCE;
    private static final Weavings.Weave UNSAFE = type -> AsmVisitorWrapper.NoOp.INSTANCE;
    private static final Weavings.Weave BOOTSTRAP = type -> AsmVisitorWrapper.NoOp.INSTANCE;

    private static RelocatedNames names() {
        RelocatedNames names = new RelocatedNames();
        names.add("io.netty.channel.epoll.AbstractEpollChannel", CHANNEL);
        names.add("io.netty.channel.epoll.AbstractEpollChannel$AbstractEpollUnsafe", UNSAFE);
        names.add("io.netty.bootstrap.Bootstrap", BOOTSTRAP);
        for (int i = 0; i < 20; i++) {
            names.add("com.example.lib" + i + ".Client", type -> AsmVisitorWrapper.NoOp.INSTANCE); // more than one bucket
        }
        return names;
    }

    @Test
    void shadedCopiesAreFoundWithTheirPrefix() {
        RelocatedNames names = names();
        RelocatedNames.Entry grpc = names.find("io.grpc.netty.shaded.io.netty.channel.epoll.AbstractEpollChannel");
        assertNotNull(grpc);
        assertSame(CHANNEL, grpc.weave);
        assertEquals("io.grpc.netty.shaded.", grpc.prefixOf("io.grpc.netty.shaded.io.netty.channel.epoll.AbstractEpollChannel"));
        assertSame(UNSAFE, names.find("com.couchbase.client.core.deps.io.netty.channel.epoll.AbstractEpollChannel$AbstractEpollUnsafe").weave);
        assertSame(BOOTSTRAP, names.find("x.io.netty.bootstrap.Bootstrap").weave);
        assertNotNull(names.find("org.acme.shaded.com.example.lib7.Client"));
    }

    @Test
    void theOriginalAndLookAlikesAreNotCopies() {
        RelocatedNames names = names();
        assertNull(names.find("io.netty.channel.epoll.AbstractEpollChannel"), "the original is woven by its exact name");
        assertNull(names.find("xio.netty.bootstrap.Bootstrap"), "the prefix must end at a dot");
        assertNull(names.find("io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap"));
        assertNull(names.find("io.grpc.netty.shaded.io.netty.channel.epoll.AbstractEpollChannel$1"));
        assertNull(names.find("Bootstrap"));
        assertNull(names.find(""));
        assertNull(new RelocatedNames().find("a.io.netty.bootstrap.Bootstrap"));
    }

    @Test
    void theTailHashIsTheSimpleNamesStringHash() {
        assertEquals("AbstractEpollChannel$AbstractEpollUnsafe".hashCode(),
                RelocatedNames.tailHash("a.b.AbstractEpollChannel$AbstractEpollUnsafe"));
        assertEquals("Main".hashCode(), RelocatedNames.tailHash("Main"));
    }
}
