import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_CELSIUS, MAX_TEMPERATURES, MIN_CELSIUS, type TemperatureInfo } from '@sss/protocol';
import { readText } from '../host';

/** One temperature input found at discovery; its critical level is read once then. */
export interface SensorFile {
  sensor: string;
  input: string;
  criticalCelsius?: number;
}

const read = (path: string) => readText(path).then((t) => t.trim());
const optionalRead = (path: string) => read(path).catch(() => undefined);
const list = (path: string) => readdir(path).catch(() => [] as string[]);

/** Millidegrees Celsius, as hwmon and thermal zones write them, in degrees; undefined when unreadable or absurd. */
export function millidegrees(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text.trim())) return undefined;
  const celsius = Number(text) / 1000;
  return celsius >= MIN_CELSIUS && celsius <= MAX_CELSIUS ? celsius : undefined;
}

/**
 * hwmon chips as node_exporter's hwmon collector reads them: $HOST_SYS/class/hwmon/hwmonN/{name, tempK_input,
 * tempK_label, tempK_crit} (in `device/` on old kernels). The sensor is `<chip> <label>`, or `<chip> tempK`.
 */
async function hwmonSensors(sys: string): Promise<{ chips: Set<string>; sensors: SensorFile[] }> {
  const base = join(sys, 'class/hwmon');
  const chips = new Set<string>();
  const sensors: SensorFile[] = [];
  for (const hwmon of (await list(base)).filter((e) => e.startsWith('hwmon')).sort(byNumber)) {
    let dir = join(base, hwmon);
    let files = await list(dir);
    if (!files.some(isTempInput)) {
      dir = join(dir, 'device');
      files = await list(dir);
    }
    const chip =
      (await optionalRead(join(dir, 'name'))) ?? (await optionalRead(join(base, hwmon, 'name'))) ?? hwmon;
    chips.add(chip);
    for (const input of files.filter(isTempInput).sort(byNumber)) {
      const prefix = input.slice(0, -'_input'.length);
      const label = await optionalRead(join(dir, `${prefix}_label`));
      const critical = millidegrees(await optionalRead(join(dir, `${prefix}_crit`)));
      sensors.push({
        sensor: `${chip} ${label || prefix}`,
        input: join(dir, input),
        ...(critical !== undefined ? { criticalCelsius: critical } : {}),
      });
    }
  }
  return { chips, sensors };
}

/**
 * Thermal zones as node_exporter's thermal_zone collector reads them: $HOST_SYS/class/thermal/thermal_zoneN/{type,
 * temp}, the critical level from the trip point whose type is `critical`. A zone the kernel also exposes as a hwmon
 * chip (named after its type, `-` as `_`) is left out: it is already there.
 */
async function thermalZones(sys: string, hwmonChips: ReadonlySet<string>): Promise<SensorFile[]> {
  const base = join(sys, 'class/thermal');
  const sensors: SensorFile[] = [];
  for (const zone of (await list(base)).filter((e) => e.startsWith('thermal_zone')).sort(byNumber)) {
    const dir = join(base, zone);
    const type = await optionalRead(join(dir, 'type'));
    if (!type || hwmonChips.has(type.replaceAll('-', '_'))) continue;
    let criticalCelsius: number | undefined;
    for (const trip of (await list(dir)).filter((f) => /^trip_point_\d+_type$/.test(f))) {
      if ((await optionalRead(join(dir, trip))) !== 'critical') continue;
      criticalCelsius = millidegrees(await optionalRead(join(dir, trip.replace(/_type$/, '_temp'))));
      break;
    }
    sensors.push({
      sensor: `${type} ${zone}`,
      input: join(dir, 'temp'),
      ...(criticalCelsius !== undefined ? { criticalCelsius } : {}),
    });
  }
  return sensors;
}

const isTempInput = (f: string) => /^temp\d+_input$/.test(f);
const byNumber = (a: string, b: string) =>
  Number(/\d+/.exec(a)?.[0] ?? 0) - Number(/\d+/.exec(b)?.[0] ?? 0) || a.localeCompare(b);

/** Every temperature input of the host; found once (the hardware does not change), then only read. */
export async function discoverSensors(sys: string): Promise<SensorFile[]> {
  const hwmon = await hwmonSensors(sys);
  const sensors = [...hwmon.sensors, ...(await thermalZones(sys, hwmon.chips))].slice(0, MAX_TEMPERATURES);
  // Two chips of one kind (two NVMe drives: `nvme Composite` twice) get `#2`, `#3`: a name is a series' label.
  const seen = new Map<string, number>();
  for (const s of sensors) {
    const n = (seen.get(s.sensor) ?? 0) + 1;
    seen.set(s.sensor, n);
    if (n > 1) s.sensor = `${s.sensor} #${n}`;
  }
  return sensors;
}

/** The current readings; a sensor that cannot be read now (some answer EIO or ENODATA at times) is left out. */
export async function readSensors(sensors: readonly SensorFile[]): Promise<TemperatureInfo[]> {
  const readings = await Promise.all(sensors.map((s) => optionalRead(s.input).then(millidegrees)));
  const temperatures: TemperatureInfo[] = [];
  sensors.forEach((s, i) => {
    const celsius = readings[i];
    if (celsius === undefined) return;
    temperatures.push({
      sensor: s.sensor,
      celsius,
      ...(s.criticalCelsius !== undefined ? { criticalCelsius: s.criticalCelsius } : {}),
    });
  });
  return temperatures;
}
