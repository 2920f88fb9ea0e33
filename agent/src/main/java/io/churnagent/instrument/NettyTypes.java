package io.churnagent.instrument;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.jar.asm.Opcodes;

import java.util.Collections;

/**
 * Descriptions of the few Netty types and methods the Netty advice calls, made from their names
 * alone (Byte Buddy only needs names and descriptors to emit a call or an {@code instanceof}), so
 * the agent needs no Netty at build or run time; stateless.
 */
final class NettyTypes {

    private static final TypeDescription.Generic OBJECT = TypeDescription.Generic.OfNonGenericType.ForLoadedType.of(Object.class);

    private NettyTypes() {
    }

    static TypeDescription abstractClass(String name) {
        return new TypeDescription.Latent(name, Opcodes.ACC_PUBLIC | Opcodes.ACC_ABSTRACT, OBJECT);
    }

    static TypeDescription anInterface(String name) {
        return new TypeDescription.Latent(name, Opcodes.ACC_PUBLIC | Opcodes.ACC_INTERFACE | Opcodes.ACC_ABSTRACT, null);
    }

    /** The public no-argument method {@code name} of {@code owner}, returning {@code returned}. */
    static MethodDescription getter(TypeDescription owner, String name, Class<?> returned) {
        return getter(owner, name, TypeDescription.ForLoadedType.of(returned));
    }

    /** The public no-argument method {@code name} of {@code owner}, returning {@code returned}. */
    static MethodDescription getter(TypeDescription owner, String name, TypeDescription returned) {
        int modifiers = Opcodes.ACC_PUBLIC | (owner.isInterface() ? Opcodes.ACC_ABSTRACT : 0);
        return new MethodDescription.Latent(owner, name, modifiers, Collections.emptyList(), returned.asGenericType(),
                Collections.emptyList(), Collections.emptyList(), Collections.emptyList(), null, null);
    }
}
