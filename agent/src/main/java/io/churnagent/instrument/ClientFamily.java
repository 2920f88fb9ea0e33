package io.churnagent.instrument;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the advice parameter that receives the client family of the hook being woven (a constant
 * bound with {@code Advice.withCustomMapping()}), so one advice class serves every library.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
@interface ClientFamily {
}
