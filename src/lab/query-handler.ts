/**
 * A Query-protocol operation of the lab (Auto Scaling, ELBv2, EC2): the
 * form's parameters in, the XML result's members out, at the simulation's
 * `nowMs`. Its own file because the wire helpers are below the simulation
 * and the operations above it.
 */
import type { Simulation } from './simulation.js';
import type { XmlObject } from './wire.js';

export type QueryHandler = (sim: Simulation, params: URLSearchParams, nowMs: number) => XmlObject;
