package io.churnagent.instrument;

import io.churnagent.testapp.Answer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link WeavingTransformer#transform} on real class files, without an {@code Instrumentation}: what
 * it weaves is defined in a class loader of its own and run. The install, retransformation and reset
 * on a live JVM are covered by the integration tests (StartupIT; AttachIT, whose
 * detach resets the woven classes).
 */
class WeavingTransformerTest {

    /** Adds one to what {@code answer()} returns. */
    public static final class PlusOne {
        @Advice.OnMethodExit
        static void exit(@Advice.Return(readOnly = false) int answer) {
            answer = answer + 1;
        }
    }

    private static final String TARGET = Answer.class.getName();
    private static final String TARGET_INTERNAL = TARGET.replace('.', '/');

    private final List<String> woven = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();
    private final WeavingTransformer.Listener listener = new WeavingTransformer.Listener() {
        @Override
        public void woven(String name) {
            woven.add(name);
        }

        @Override
        public void failed(String name, Throwable cause) {
            failed.add(name + ": " + cause);
        }
    };

    private static AsmVisitorWrapper plusOne() {
        return new AsmVisitorWrapper.ForDeclaredMethods().method(named("answer"), Advice.to(PlusOne.class));
    }

    private static byte[] classFile(Class<?> type) throws IOException {
        try (InputStream in = type.getClassLoader().getResourceAsStream(type.getName().replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    /** Defines {@code classFile} as {@code name} in a new loader below this test's and calls its {@code answer()}. */
    private static int answerOf(String name, byte[] classFile) throws Exception {
        ClassLoader loader = new ClassLoader(WeavingTransformerTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
                if (n.equals(name)) {
                    synchronized (getClassLoadingLock(n)) {
                        Class<?> c = findLoadedClass(n);
                        return c != null ? c : defineClass(n, classFile, 0, classFile.length);
                    }
                }
                return super.loadClass(n, resolve);
            }
        };
        Class<?> type = loader.loadClass(name);
        Object target = type.getConstructor().newInstance();
        Method answer = type.getMethod("answer");
        return (int) answer.invoke(target);
    }

    private byte[] transform(WeavingTransformer transformer, String internalName) throws IOException {
        return transformer.transform(getClass().getClassLoader(), internalName, null, null, classFile(Answer.class));
    }

    @Test
    void weavesAClassNamedInTheWeavings() throws Exception {
        WeavingTransformer transformer = new WeavingTransformer(new Weavings().name(TARGET, WeavingTransformerTest::plusOne), listener);

        byte[] result = transform(transformer, TARGET_INTERNAL);

        assertNotNull(result);
        assertEquals(41, answerOf(TARGET, classFile(Answer.class)));
        assertEquals(42, answerOf(TARGET, result));
        assertEquals(List.of(TARGET), woven);
        assertEquals(List.of(), failed);
    }

    @Test
    void twoWeavingsOfOneClassAreBothApplied() throws Exception {
        WeavingTransformer transformer = new WeavingTransformer(new Weavings()
                .name(TARGET, WeavingTransformerTest::plusOne)
                .name(TARGET, WeavingTransformerTest::plusOne), listener);

        assertEquals(43, answerOf(TARGET, transform(transformer, TARGET_INTERNAL)));
    }

    @Test
    void leavesOtherClassesAloneWithoutReadingThem() throws Exception {
        WeavingTransformer transformer = new WeavingTransformer(new Weavings().name("com.example.Other", () -> {
            throw new AssertionError("not to be made for another class");
        }), listener);

        assertNull(transform(transformer, TARGET_INTERNAL));
        assertNull(transformer.transform(null, null, null, null, new byte[0])); // a hidden class has no name
        assertEquals(List.of(), woven);
        assertEquals(List.of(), failed);
    }

    @Test
    void neverWeavesTheAgentsOwnClasses() throws Exception {
        String agentClass = "io.churnagent.churn.DestinationTable";
        WeavingTransformer transformer = new WeavingTransformer(new Weavings().name(agentClass, WeavingTransformerTest::plusOne), listener);

        assertNull(transformer.transform(null, agentClass.replace('.', '/'), null, null, classFile(Answer.class)));
        assertTrue(AgentClasses.isAgent("io.churnagent.AgentLifecycle$1"));
        assertTrue(AgentClasses.isAgent("io.churnagent.shaded.bytebuddy.ByteBuddy"));
        assertEquals(false, AgentClasses.isAgent("io.churnagent.demo.DemoApp"));
        assertEquals(false, AgentClasses.isAgent("io.churnagent.it.programs.NettyServer"));
        assertEquals(false, AgentClasses.isAgent("com.example.Service"));
    }

    @Test
    void reportsAClassItCannotWeaveAndLeavesItUnchanged() throws Exception {
        WeavingTransformer transformer = new WeavingTransformer(new Weavings().name(TARGET, () -> {
            throw new IllegalStateException("broken advice");
        }), listener);

        assertNull(transform(transformer, TARGET_INTERNAL));
        assertEquals(List.of(TARGET + ": java.lang.IllegalStateException: broken advice"), failed);
        assertEquals(List.of(), woven);
    }

    @Test
    void weavesByHierarchyOnlyWhatTheDescriptionMatches() throws Exception {
        AtomicReference<String> described = new AtomicReference<>();
        Weavings.ByHierarchy family = new Weavings.ByHierarchy() {
            @Override
            public boolean mayMatch(String name, ClassLoader loader) {
                return loader != null;
            }

            @Override
            public boolean matches(TypeDescription type) {
                described.set(type.getName());
                return type.getDeclaredMethods().filter(named("answer")).size() == 1;
            }

            @Override
            public boolean mayMatch(Class<?> loaded) {
                return true;
            }

            @Override
            public AsmVisitorWrapper visitor() {
                return plusOne();
            }
        };
        WeavingTransformer transformer = new WeavingTransformer(new Weavings().hierarchy(family), listener);

        byte[] result = transform(transformer, TARGET_INTERNAL);
        assertEquals(TARGET, described.get());
        assertEquals(42, answerOf(TARGET, result));

        // a class whose description does not match is returned unchanged (null)
        String other = io.churnagent.testapp.GenericHandler.class.getName();
        assertNull(transformer.transform(getClass().getClassLoader(), other.replace('.', '/'), null, null,
                classFile(io.churnagent.testapp.GenericHandler.class)));
        assertEquals(other, described.get());
        assertEquals(List.of(TARGET), woven);
    }

    @Test
    void aClassLoadedWhileWeavingOnTheSameThreadIsNotWoven() throws Exception {
        AtomicReference<byte[]> nested = new AtomicReference<>(new byte[0]);
        WeavingTransformer[] self = new WeavingTransformer[1];
        self[0] = new WeavingTransformer(new Weavings().name(TARGET, () -> {
            try {
                // as if making the visitor loaded another class that is woven too
                nested.set(transform(self[0], TARGET_INTERNAL));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return plusOne();
        }), listener);

        assertNotNull(transform(self[0], TARGET_INTERNAL));
        assertNull(nested.get());
        assertEquals(List.of(TARGET), woven);
        // and the thread is free again afterwards
        assertNotNull(transform(self[0], TARGET_INTERNAL));
    }
}
