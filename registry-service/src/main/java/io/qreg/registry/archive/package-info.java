/**
 * Archive, not delete: the one vocabulary of an archived model, variant or deployment ({@link Archival}): how it
 * shows, how a list asks for archived things ({@code ?archived=true}), and the 409 that refuses to put an archived
 * thing up for approval or roll it out. Each feature keeps its own archive columns and endpoints.
 */
package io.qreg.registry.archive;
