/**
 * Demo data: with {@code QREG_DEMO=true} ({@code qreg.demo}) the registry seeds itself at startup
 * with the example models shipped in the jar ({@code classpath:demo/}), quantizes, evaluates and
 * benchmarks them on whatever worker is up (the embedded one by default), creates demo people and
 * opens approval requests, so a newcomer's first look at the portal is a populated one. Everything
 * goes through the features' public services, as the people it names, so it is audited like any
 * other change; every step first looks for what an earlier start already made.
 */
package io.qreg.registry.demo;
