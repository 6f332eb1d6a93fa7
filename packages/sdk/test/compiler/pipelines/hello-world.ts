// hello_world.yaml: one container component without inputs.
import { containerComponent, pipeline } from '../../../src/index.ts';

const echo = containerComponent({
  name: 'echo',
  image: 'registry.access.redhat.com/ubi9/python-311:latest',
  command: ['echo'],
  args: ['hello world'],
});

export default pipeline({ name: 'echo' }, () => {
  echo();
});
